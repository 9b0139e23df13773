import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Input, Popconfirm, Space, Table, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ApiKey, IpRule, KeyKind } from '../../../wire/console-api';
import { EmptyState, ErrorAlert, ErrorBlock } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { SecretLine, ShownOnceModal } from '../../components/ShownOnce';
import { CallbackSecretCard } from './CallbackSecretCard';
import { SignedKeysCard } from './SignedKeysCard';
import { keyColumns } from './key-columns';

const KEYS_KEY = ['me', 'keys'] as const;
const RULES_KEY = ['me', 'ip-rules'] as const;

/** The secret of a new key or APPCODE: shown this once, never again (the server keeps only its hash). */
export function SecretModal({
  secret,
  kind,
  onClose,
}: {
  secret: string | null;
  kind: KeyKind;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <ShownOnceModal
      open={secret !== null}
      title={t(kind === 'apikey' ? 'access.secretTitleKey' : 'access.secretTitleAppcode')}
      warning={t('access.secretOnce')}
      closeTestId="key-secret-close"
      onClose={onClose}
    >
      {secret ? <SecretLine value={secret} testId="key-secret" /> : null}
    </ShownOnceModal>
  );
}

/** A small danger button that asks before it acts. */
function ConfirmedDanger({
  label,
  question,
  icon,
  onConfirm,
  testId,
}: {
  label: string;
  question: string;
  icon?: ReactNode;
  onConfirm: () => void;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <Popconfirm
      title={question}
      okText={label}
      okButtonProps={{ danger: true }}
      cancelText={t('common.cancel')}
      onConfirm={onConfirm}
    >
      <Button danger size="small" icon={icon} data-testid={testId}>
        {label}
      </Button>
    </Popconfirm>
  );
}

function KeysCard({ kind, keys, loading }: { kind: KeyKind; keys: ApiKey[]; loading: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      api.post<{ key: ApiKey; secret: string }>('/me/keys', { kind, label: label.trim() || null }),
    onSuccess: ({ secret: created }) => {
      setLabel('');
      setSecret(created);
      void client.invalidateQueries({ queryKey: KEYS_KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api.post<void>(`/me/keys/${id}/revoke`),
    onSuccess: () => {
      void message.success(t('access.revoked'));
      void client.invalidateQueries({ queryKey: KEYS_KEY });
    },
  });
  const prefix = kind === 'apikey' ? 'key' : 'appcode';

  return (
    <Card
      title={t(kind === 'apikey' ? 'access.keysTitle' : 'access.appcodesTitle')}
      style={{ marginBottom: 16 }}
      extra={null}
    >
      <Typography.Paragraph type="secondary">
        {t(kind === 'apikey' ? 'access.keysHint' : 'access.appcodesHint')}
      </Typography.Paragraph>
      <Space.Compact style={{ width: '100%', maxWidth: 520, marginBottom: 16 }}>
        <Input
          value={label}
          onChange={(event) => setLabel(event.target.value)}
          placeholder={t('access.labelPlaceholder')}
          maxLength={64}
          data-testid={`${prefix}-label`}
        />
        <Button
          type="primary"
          icon={<PlusOutlined />}
          loading={create.isPending}
          onClick={() => create.mutate()}
          data-testid={`${prefix}-create`}
        >
          {t(kind === 'apikey' ? 'access.createKey' : 'access.createAppcode')}
        </Button>
      </Space.Compact>
      <ErrorBlock error={create.error} />
      <ErrorBlock error={revoke.error} />
      <Table<ApiKey>
        size="middle"
        rowKey="id"
        loading={loading}
        dataSource={keys}
        pagination={false}
        scroll={{ x: 720 }}
        data-testid={`${prefix}s-table`}
        locale={{
          emptyText: <EmptyState text={t(kind === 'apikey' ? 'access.noKeys' : 'access.noAppcodes')} />,
        }}
        columns={keyColumns(t, { title: t('access.hint'), field: 'hint' }, (row) => (
          <ConfirmedDanger
            label={t('access.revoke')}
            question={t('access.revokeConfirm')}
            onConfirm={() => revoke.mutate(row.id)}
            testId={`${prefix}-revoke-${row.id}`}
          />
        ))}
      />
      <SecretModal secret={secret} kind={kind} onClose={() => setSecret(null)} />
    </Card>
  );
}

function IpRulesCard() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [cidr, setCidr] = useState('');
  const rules = useQuery({ queryKey: RULES_KEY, queryFn: () => api.get<IpRule[]>('/me/ip-rules') });
  const add = useMutation({
    mutationFn: () => api.post<IpRule>('/me/ip-rules', { cidr: cidr.trim() }),
    onSuccess: () => {
      setCidr('');
      void client.invalidateQueries({ queryKey: RULES_KEY });
    },
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.del<void>(`/me/ip-rules/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: RULES_KEY }),
  });
  const list = rules.data ?? [];
  return (
    <Card title={t('access.ip.title')}>
      <Typography.Paragraph type="secondary">{t('access.ip.hint')}</Typography.Paragraph>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (cidr.trim()) add.mutate();
        }}
      >
        <Space.Compact style={{ width: '100%', maxWidth: 520, marginBottom: 16 }}>
          <Input
            value={cidr}
            onChange={(event) => setCidr(event.target.value)}
            placeholder={t('access.ip.placeholder')}
            data-testid="ip-add-input"
          />
          <Button
            type="primary"
            htmlType="submit"
            icon={<PlusOutlined />}
            loading={add.isPending}
            disabled={!cidr.trim()}
            data-testid="ip-add-submit"
          >
            {t('access.ip.add')}
          </Button>
        </Space.Compact>
      </form>
      <ErrorBlock error={add.error} testId="ip-add-error" />
      {rules.isError ? <ErrorAlert error={rules.error} onRetry={() => void rules.refetch()} /> : null}
      {list.length > 0 ? (
        <Alert
          type="info"
          showIcon
          title={t('access.ip.active', { count: list.length })}
          style={{ marginBottom: 16 }}
        />
      ) : null}
      <Table<IpRule>
        size="middle"
        rowKey="id"
        loading={rules.isPending}
        dataSource={list}
        pagination={false}
        data-testid="ip-rules-table"
        locale={{ emptyText: <EmptyState text={t('access.ip.empty')} /> }}
        columns={[
          {
            title: t('access.ip.cidr'),
            dataIndex: 'cidr',
            render: (value: string) => <Typography.Text code>{value}</Typography.Text>,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 100,
            render: (_, row) => (
              <ConfirmedDanger
                label={t('access.ip.remove')}
                question={t('access.ip.removeConfirm')}
                icon={<DeleteOutlined />}
                onConfirm={() => remove.mutate(row.id)}
                testId={`ip-remove-${row.id}`}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}

export function AccessPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const keys = useQuery({ queryKey: KEYS_KEY, queryFn: () => api.get<ApiKey[]>('/me/keys') });
  const revoke = useMutation({
    mutationFn: (id: number) => api.post<void>(`/me/keys/${id}/revoke`),
    onSuccess: () => {
      void message.success(t('access.revoked'));
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const all = keys.data ?? [];
  return (
    <>
      <PageTitle title={t('access.title')} subtitle={t('access.subtitle')} />
      <ErrorBlock error={keys.error} onRetry={() => void keys.refetch()} />
      <KeysCard
        kind="apikey"
        keys={all.filter((key) => key.kind === 'apikey' && key.appKey === undefined)}
        loading={keys.isPending}
      />
      <KeysCard kind="appcode" keys={all.filter((key) => key.kind === 'appcode')} loading={keys.isPending} />
      <SignedKeysCard onRevoke={(id) => revoke.mutate(id)} />
      <IpRulesCard />
      <CallbackSecretCard />
    </>
  );
}
