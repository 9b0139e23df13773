import { useState } from 'react';
import { Button, Card, Flex, Input, Space, Switch, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ApiKey } from '../../../wire/console-api';
import { SecretLine, ShownOnceModal } from '../../components/ShownOnce';
import { EmptyState, ErrorBlock } from '../../components/feedback';
import { keyColumns } from './key-columns';

const SIGNATURES_KEY = ['me', 'signatures'] as const;

interface Signatures {
  requireSignatures: boolean;
  keys: ApiKey[];
}

interface IssuedPair {
  appKey: string;
  appSecret: string;
}

/** A new pair: the AppSecret is shown this once (the server keeps it only sealed). */
function PairModal({ pair, onClose }: { pair: IssuedPair | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <ShownOnceModal
      open={pair !== null}
      title={t('signed.pairTitle')}
      warning={t('signed.secretOnce')}
      closeTestId="signed-pair-close"
      onClose={onClose}
    >
      {pair ? (
        <>
          <SecretLine name="AppKey" value={pair.appKey} testId="signed-app-key" />
          <SecretLine name="AppSecret" value={pair.appSecret} testId="signed-app-secret" />
        </>
      ) : null}
    </ShownOnceModal>
  );
}

/** Keys issued as AppKey/AppSecret pairs, and the switch that makes them the only way in. */
export function SignedKeysCard({ onRevoke }: { onRevoke: (id: number) => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [label, setLabel] = useState('');
  const [pair, setPair] = useState<IssuedPair | null>(null);
  const signatures = useQuery({
    queryKey: SIGNATURES_KEY,
    queryFn: () => api.get<Signatures>('/me/signatures'),
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ['me'] });
  const create = useMutation({
    mutationFn: () =>
      api.post<IssuedPair & { key: ApiKey }>('/me/signed-keys', { label: label.trim() || null }),
    onSuccess: ({ appKey, appSecret }) => {
      setLabel('');
      setPair({ appKey, appSecret });
      refresh();
    },
  });
  const require = useMutation({
    mutationFn: (on: boolean) =>
      api.patch<{ requireSignatures: boolean }>('/me/signatures', { requireSignatures: on }),
    onSuccess: refresh,
  });
  const keys = signatures.data?.keys ?? [];
  return (
    <Card title={t('signed.title')} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary">{t('signed.hint')}</Typography.Paragraph>
      <Flex gap={12} align="center" style={{ marginBottom: 16 }}>
        <Switch
          checked={signatures.data?.requireSignatures ?? false}
          loading={signatures.isPending || require.isPending}
          onChange={(on) => require.mutate(on)}
          data-testid="signed-require"
        />
        <Typography.Text>{t('signed.require')}</Typography.Text>
      </Flex>
      <ErrorBlock error={require.error} />
      <Space.Compact style={{ width: '100%', maxWidth: 520, marginBottom: 16 }}>
        <Input
          value={label}
          onChange={(event) => setLabel(event.target.value)}
          placeholder={t('access.labelPlaceholder')}
          maxLength={64}
          data-testid="signed-label"
        />
        <Button
          type="primary"
          icon={<PlusOutlined />}
          loading={create.isPending}
          onClick={() => create.mutate()}
          data-testid="signed-create"
        >
          {t('signed.create')}
        </Button>
      </Space.Compact>
      <ErrorBlock error={create.error} />
      <Table<ApiKey>
        size="middle"
        rowKey="id"
        loading={signatures.isPending}
        dataSource={keys}
        pagination={false}
        scroll={{ x: 720 }}
        data-testid="signed-table"
        locale={{ emptyText: <EmptyState text={t('signed.empty')} /> }}
        columns={keyColumns(t, { title: 'AppKey', field: 'appKey' }, (row) => (
          <Button
            danger
            size="small"
            onClick={() => onRevoke(row.id)}
            data-testid={`signed-revoke-${row.id}`}
          >
            {t('access.revoke')}
          </Button>
        ))}
      />
      <PairModal pair={pair} onClose={() => setPair(null)} />
    </Card>
  );
}
