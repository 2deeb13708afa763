import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded defaults with no configuration', () => {
    const config = loadConfig({ INIT_CWD: '/srv/stockverify' });
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      ERP_SOURCE: 'demo',
      ACCESS_TOKEN_EXPIRE_MINUTES: 15,
      REFRESH_TOKEN_EXPIRE_DAYS: 7,
    });
    expect(config.dataDir).toBe('/srv/stockverify/data');
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).PORT).toBe(8080);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'x', JWT_SECRET: 'short', ERP_SOURCE: 'oracle' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'x', JWT_SECRET: 'short', ERP_SOURCE: 'oracle' });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('JWT_SECRET');
      expect(message).toContain('ERP_SOURCE');
    }
  });

  it('needs the file or connection of the chosen ERP source', () => {
    expect(() => loadConfig({ ERP_SOURCE: 'file' })).toThrow(/ERP_FILE/);
    expect(() => loadConfig({ ERP_SOURCE: 'mssql' })).toThrow(/MSSQL_URL/);
    expect(loadConfig({ ERP_SOURCE: 'file', ERP_FILE: 'items.csv' }).ERP_FILE).toBe('items.csv');
  });

  it('caps the access-token lifetime at 15 minutes (DESIGN §6)', () => {
    expect(() => loadConfig({ ACCESS_TOKEN_EXPIRE_MINUTES: '60' })).toThrow(
      /ACCESS_TOKEN_EXPIRE_MINUTES/,
    );
  });

  it('takes CORS_ORIGINS as exact origins, allowing the Electron console by default', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual(['app://renderer']);
    expect(
      loadConfig({ CORS_ORIGINS: 'app://renderer, https://office.example:8443' }).CORS_ORIGINS,
    ).toEqual(['app://renderer', 'https://office.example:8443']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://office.example/console' })).toThrow(
      /CORS_ORIGINS/,
    );
    expect(() => loadConfig({ CORS_ORIGINS: 'office.example' })).toThrow(/CORS_ORIGINS/);
  });
});
