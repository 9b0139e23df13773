import { Table, type TableProps } from 'antd';
import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { api, type Params } from '../api/client';
import type { Page } from '../../wire/console-api';
import { CursorPager, useCursorPages, type CursorPages } from './CursorPager';
import { EmptyState, ErrorAlert } from './feedback';

/** A newest-first list the server sends a page at a time, and which page of it is shown. */
export interface PagedList<T> {
  query: UseQueryResult<Page<T>>;
  pages: CursorPages;
  /** A polled list spins only while it first loads, not at every poll. */
  polled: boolean;
}

export function usePagedList<T>({
  key,
  path,
  params,
  keepPrevious = false,
  poll,
}: {
  /** The query key; the page's cursor is added to it. */
  key: readonly unknown[];
  path: string;
  params?: Params;
  /** Keep the rows in view while the next page loads. */
  keepPrevious?: boolean;
  /** Ask again every `ms` while a row on the page is still changing. */
  poll?: { ms: number; while: (row: T) => boolean };
}): PagedList<T> {
  const pages = useCursorPages();
  const query = useQuery({
    queryKey: [...key, pages.before],
    queryFn: () => api.get<Page<T>>(path, { ...params, before: pages.before }),
    placeholderData: keepPrevious ? keepPreviousData : undefined,
    refetchInterval: poll
      ? (current) => (current.state.data?.rows.some(poll.while) ? poll.ms : false)
      : undefined,
  });
  return { query, pages, polled: poll !== undefined };
}

type PagedTableProps<T> = { list: PagedList<T>; empty: string } & Omit<
  TableProps<T>,
  'dataSource' | 'loading' | 'pagination' | 'locale'
>;

/** A paged list's table (or why it failed to load) with the pager under it. */
export function PagedTable<T extends object>({ list, empty, ...table }: PagedTableProps<T>) {
  const { query, pages, polled } = list;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <>
      <Table<T>
        size="middle"
        rowKey="id"
        loading={polled ? query.isPending : query.isFetching}
        dataSource={query.data?.rows ?? []}
        pagination={false}
        locale={{ emptyText: <EmptyState text={empty} /> }}
        {...table}
      />
      <CursorPager pages={pages} next={query.data?.next} loading={query.isFetching} />
    </>
  );
}
