import { useCallback, useState } from 'react';
import { Button, Space } from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/**
 * Pages of newest-first lists paged with `before`: the cursors of the pages already seen are kept,
 * so "newer" goes back exactly where the reader came from.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const older = useCallback((next: number) => setCursors((list) => [...list, next]), []);
  const newer = useCallback(() => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)), []);
  const reset = useCallback(() => setCursors([undefined]), []);
  return { before, page: cursors.length, older, newer, reset };
}

export type CursorPages = ReturnType<typeof useCursorPages>;

export function CursorPager({
  pages,
  next,
  loading,
}: {
  pages: CursorPages;
  next: number | null | undefined;
  loading?: boolean;
}) {
  const { t } = useTranslation();
  if (pages.page === 1 && (next === null || next === undefined)) return null;
  return (
    <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }} wrap>
      <span>{t('common.page', { page: pages.page })}</span>
      <Button icon={<LeftOutlined />} disabled={pages.page === 1 || loading} onClick={pages.newer}>
        {t('common.newer')}
      </Button>
      <Button
        disabled={next === null || next === undefined || loading}
        onClick={() => next !== null && next !== undefined && pages.older(next)}
      >
        {t('common.older')} <RightOutlined />
      </Button>
    </Space>
  );
}
