import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Role } from '../../wire/console-api';
import { LoadFailed, Loading } from '../components/feedback';
import { homeOf, useSession } from './session';

/** Renders its children for a logged-in user of `role` (any role when omitted); else sends them on. */
export function RequireSession({ role, children }: { role?: Role; children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Loading />;
  if (session.isError) return <LoadFailed error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data)
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (role && session.data.role !== role) return <Navigate to={homeOf(session.data.role)} replace />;
  return children;
}
