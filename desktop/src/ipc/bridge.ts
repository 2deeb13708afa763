import type { Platform } from '@stockverify/shared';

/**
 * The renderer's view of `window.platform`: the shared `Platform`, Electron's kind. The preload
 * builds exactly this (its return type), so the two cannot drift, and the renderer reads the type
 * from here rather than importing preload code.
 */
export type PlatformBridge = Platform & { readonly kind: 'desktop' };
