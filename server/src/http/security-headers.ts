import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet with a CSP that fits the PWA and console (same-origin API, camera video in blob:,
 * service worker), plus a Permissions-Policy that keeps the camera allowed for our own origin
 * only (DESIGN §6): the scanner needs getUserMedia.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:', 'mediastream:'],
          'connect-src': ["'self'"],
          'worker-src': ["'self'", 'blob:'],
          'manifest-src': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
    (_req, res, next) => {
      res.setHeader(
        'Permissions-Policy',
        'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
      );
      next();
    },
  ];
}
