// The customer's pages: one lazy chunk, loaded only after a customer logs in.
export { DashboardPage } from './DashboardPage';
export { QueryPage } from './QueryPage';
export { BatchesPage } from './BatchesPage';
export { BatchJobPage } from './BatchJobPage';
export { RecordsPage } from './RecordsPage';
export { AccessPage } from './AccessPage';
export { ApiDocsPage } from './ApiDocsPage';
