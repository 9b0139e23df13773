import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { createBrowserRouter } from 'react-router';
import { Shell } from '../layout/Shell';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { RequireSession } from './guards';

// One chunk for the customer's pages and one for the operator's: each role loads only its own.
const customer = () => import('../pages/customer');
const admin = () => import('../pages/admin');

function page<M>(
  load: () => Promise<M>,
  pick: (module: M) => ComponentType,
): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: pick(await load()) }));
}

const Dashboard = page(customer, (m) => m.DashboardPage);
const Query = page(customer, (m) => m.QueryPage);
const Batches = page(customer, (m) => m.BatchesPage);
const BatchJob = page(customer, (m) => m.BatchJobPage);
const Records = page(customer, (m) => m.RecordsPage);
const Access = page(customer, (m) => m.AccessPage);
const ApiDocs = page(customer, (m) => m.ApiDocsPage);
const Accounts = page(admin, (m) => m.AccountsPage);
const AccountDetail = page(admin, (m) => m.AccountDetailPage);
const Data = page(admin, (m) => m.DataPage);
const System = page(admin, (m) => m.SystemPage);
const Upstreams = page(admin, (m) => m.UpstreamsPage);
const Audit = page(admin, (m) => m.AuditPage);
const Password = lazy(() => import('../pages/PasswordPage'));

const asCustomer = (Page: ComponentType) => (
  <RequireSession role="customer">
    <Page />
  </RequireSession>
);
const asOperator = (Page: ComponentType) => (
  <RequireSession role="operator">
    <Page />
  </RequireSession>
);

export const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: (
        <RequireSession>
          <Shell />
        </RequireSession>
      ),
      children: [
        { index: true, element: asCustomer(Dashboard) },
        { path: 'query', element: asCustomer(Query) },
        { path: 'batches', element: asCustomer(Batches) },
        { path: 'batches/:id', element: asCustomer(BatchJob) },
        { path: 'records', element: asCustomer(Records) },
        { path: 'access', element: asCustomer(Access) },
        { path: 'api-docs', element: asCustomer(ApiDocs) },
        { path: 'password', element: <Password /> },
        { path: 'admin', element: asOperator(Accounts) },
        { path: 'admin/accounts', element: asOperator(Accounts) },
        { path: 'admin/accounts/:id', element: asOperator(AccountDetail) },
        { path: 'admin/data', element: asOperator(Data) },
        { path: 'admin/system', element: asOperator(System) },
        { path: 'admin/system/upstreams', element: asOperator(Upstreams) },
        { path: 'admin/audit', element: asOperator(Audit) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/console' },
);
