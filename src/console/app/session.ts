import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from '../api/client';
import type { Role, Session } from '../../wire/console-api';

export const SESSION_KEY = ['session'] as const;

/** Where each role lands after logging in. */
export function homeOf(role: Role): string {
  return role === 'operator' ? '/admin/accounts' : '/';
}

async function fetchSession(): Promise<Session | null> {
  try {
    const session = await api.get<Session>('/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity, retry: 1 });
}

/** Drops everything cached for the previous user, so nothing of theirs shows to the next one. */
export function forgetUserData(client: QueryClient, session: Session | null): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
  setCsrfToken(session?.csrfToken ?? '');
  client.setQueryData(SESSION_KEY, session);
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { role: Role; name: string; password: string }) => api.post<Session>('/login', input),
    onSuccess: (session) => forgetUserData(client, session),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/logout'),
    // Logged out either way: a failed logout (session already gone) still leaves the console.
    onSettled: () => forgetUserData(client, null),
  });
}
