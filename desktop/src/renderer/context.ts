import type { Platform, User } from '@stockverify/shared';
import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client';

export interface ConsoleContextValue {
  client: ApiClient;
  user: User;
  platform: Platform;
  signOut(): void;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

/** The signed-in console: API client, user and platform. */
export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (value === null) throw new Error('useConsole outside a signed-in console');
  return value;
}
