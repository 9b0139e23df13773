import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Overview } from '../../../wire/console-api';

export const OVERVIEW_KEY = ['me', 'overview'] as const;

/** The customer's account and usage; the balance on every page comes from here. */
export function useOverview() {
  return useQuery({ queryKey: OVERVIEW_KEY, queryFn: () => api.get<Overview>('/me/overview') });
}
