// The operator's pages: one lazy chunk, loaded only after an operator logs in.
export { AccountsPage } from './AccountsPage';
export { AccountDetailPage } from './AccountDetailPage';
export { DataPage } from './DataPage';
export { SystemPage } from './SystemPage';
export { UpstreamsPage } from './UpstreamsPage';
export { AuditPage } from './AuditPage';
