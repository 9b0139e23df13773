import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Result,
  Row,
  Segmented,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { ledgerReasonParts } from '../../i18n/words';
import type {
  AccountDetail,
  AccountStatus,
  AdminAccount,
  FeeType,
  LedgerEntry,
} from '../../../wire/console-api';
import { DailyAnswersChart } from '../../components/DailyAnswersChart';
import { EmptyState, ErrorBlock, LoadFailed, Loading } from '../../components/feedback';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageTitle } from '../../components/PageTitle';
import { count, dateTime } from '../../lib/format';
import { FeeTypeCol, LimitCols, MIN_PASSWORD } from './account-fields';
import { ACCOUNTS_KEY, FeeTag, StatusTag } from './account-parts';

interface EditFields {
  feeType: FeeType;
  /** null: no limit. */
  creditLimit: number | null;
  qpsLimit: number | null;
  status: AccountStatus;
  lowBalanceThreshold: number | null;
  /** Never send the account's numbers to upstream providers. */
  localOnly: boolean;
}

function EditCard({ account, onSaved }: { account: AdminAccount; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditFields>();
  const feeType = Form.useWatch('feeType', form);
  useEffect(() => {
    form.setFieldsValue({
      feeType: account.feeType,
      creditLimit: account.creditLimit,
      qpsLimit: account.qpsLimit,
      status: account.status,
      lowBalanceThreshold: account.lowBalanceThreshold,
      localOnly: account.localOnly,
    });
  }, [account, form]);
  const save = useMutation({
    mutationFn: (changes: Partial<EditFields>) =>
      api.patch<AdminAccount>(`/admin/accounts/${account.id}`, changes),
    onSuccess: () => {
      void message.success(t('detail.saved'));
      onSaved();
    },
  });
  // Only what the operator changed is sent, so the audit log shows just that.
  const submit = (fields: EditFields) => {
    const wanted: EditFields = {
      feeType: fields.feeType,
      creditLimit: fields.feeType === 'postpaid' ? (fields.creditLimit ?? 0) : account.creditLimit,
      qpsLimit: fields.qpsLimit ?? null,
      status: fields.status,
      lowBalanceThreshold: fields.lowBalanceThreshold ?? null,
      localOnly: fields.localOnly === true,
    };
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(([name, value]) => account[name as keyof EditFields] !== value),
    ) as Partial<EditFields>;
    if (Object.keys(changes).length === 0) {
      void message.info(t('detail.noChanges'));
      return;
    }
    save.mutate(changes);
  };
  return (
    <Card title={t('detail.editTitle')} style={{ marginBottom: 16 }}>
      <Form<EditFields> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Row gutter={12}>
          <FeeTypeCol />
          <Col xs={24} sm={12}>
            <Form.Item name="status" label={t('accounts.fields.status')}>
              <Select
                data-testid="account-edit-status"
                options={[
                  { value: 'active', label: t('accountStatus.active') },
                  { value: 'suspended', label: t('accountStatus.suspended') },
                ]}
              />
            </Form.Item>
          </Col>
          <LimitCols feeType={feeType} />
          <Col xs={24} sm={12}>
            <Form.Item
              name="localOnly"
              label={t('accounts.fields.localOnly')}
              extra={t('accounts.localOnlyHint')}
              valuePropName="checked"
            >
              <Switch data-testid="account-edit-local-only" />
            </Form.Item>
          </Col>
        </Row>
        <ErrorBlock error={save.error} />
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="account-edit-submit">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}

type BalanceKind = 'topup' | 'adjust';

function BalanceCard({ account, onDone }: { account: AdminAccount; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [kind, setKind] = useState<BalanceKind>('topup');
  const [form] = Form.useForm<{ amount: number | null; reason: string }>();
  const change = useMutation({
    mutationFn: (fields: { amount: number | null; reason: string }) =>
      api.post<LedgerEntry>(`/admin/accounts/${account.id}/balance`, {
        kind,
        amount: fields.amount,
        reason: (fields.reason ?? '').trim(),
      }),
    onSuccess: (entry) => {
      form.resetFields();
      void message.success(t('detail.balanceDone', { balance: count(entry.balanceAfter) }));
      onDone();
    },
  });
  return (
    <Card title={t('detail.balanceTitle')} style={{ marginBottom: 16 }}>
      <Segmented<BalanceKind>
        value={kind}
        onChange={(value) => {
          setKind(value);
          change.reset();
          void form.validateFields().catch(() => undefined);
        }}
        options={[
          { value: 'topup', label: <span data-testid="balance-kind-topup">{t('detail.topup')}</span> },
          { value: 'adjust', label: <span data-testid="balance-kind-adjust">{t('detail.adjust')}</span> },
        ]}
        style={{ marginBottom: 16 }}
      />
      <Typography.Paragraph type="secondary">
        {kind === 'topup' ? t('detail.topupHint') : t('detail.adjustHint')}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(fields) => change.mutate(fields)} requiredMark={false}>
        <Form.Item
          name="amount"
          label={t('detail.amount')}
          rules={[
            { required: true, message: t('detail.amountRequired') },
            {
              validator: (_, value: number | null) =>
                value === null || value === undefined
                  ? Promise.resolve()
                  : kind === 'topup' && value <= 0
                    ? Promise.reject(new Error(t('detail.topupPositive')))
                    : kind === 'adjust' && value === 0
                      ? Promise.reject(new Error(t('detail.adjustNonZero')))
                      : Promise.resolve(),
            },
          ]}
        >
          <InputNumber precision={0} style={{ width: '100%' }} data-testid="topup-amount" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('detail.reason')}
          rules={
            kind === 'adjust'
              ? [{ required: true, whitespace: true, message: t('detail.reasonRequired') }]
              : []
          }
        >
          <Input maxLength={200} placeholder={t('detail.reasonPlaceholder')} data-testid="topup-reason" />
        </Form.Item>
        <ErrorBlock error={change.error} />
        <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="topup-submit">
          {kind === 'topup' ? t('detail.topupSubmit') : t('detail.adjustSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

function PasswordCard({ account }: { account: AdminAccount }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ password: string }>();
  const reset = useMutation({
    mutationFn: (password: string) => api.post<void>(`/admin/accounts/${account.id}/password`, { password }),
    onSuccess: () => {
      form.resetFields();
      void message.success(t('detail.passwordDone'));
      void client.invalidateQueries({ queryKey: ACCOUNTS_KEY });
    },
  });
  return (
    <Card title={t('detail.passwordTitle')} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary">
        {account.hasPassword ? t('detail.passwordHintSet') : t('detail.passwordHintUnset')}
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        onFinish={({ password }) => reset.mutate(password)}
        requiredMark={false}
      >
        <Form.Item
          name="password"
          label={t('password.next')}
          rules={[{ required: true, min: MIN_PASSWORD, message: t('password.rule') }]}
        >
          <Input.Password autoComplete="new-password" data-testid="account-password-input" />
        </Form.Item>
        <ErrorBlock error={reset.error} />
        <Button htmlType="submit" loading={reset.isPending} data-testid="account-password-submit">
          {t('detail.passwordSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

function LedgerCard({ accountId }: { accountId: number }) {
  const { t } = useTranslation();
  const ledger = usePagedList<LedgerEntry>({
    key: [...ACCOUNTS_KEY, accountId, 'ledger'],
    path: `/admin/accounts/${accountId}/ledger`,
    params: { limit: 20 },
    keepPrevious: true,
  });
  return (
    <Card title={t('detail.ledgerTitle')} style={{ marginBottom: 16 }}>
      <PagedTable
        list={ledger}
        data-testid="ledger-table"
        size="small"
        scroll={{ x: 560 }}
        empty={t('detail.ledgerEmpty')}
        columns={[
          { title: t('detail.ledger.at'), dataIndex: 'at', width: 170, render: dateTime },
          {
            title: t('detail.ledger.delta'),
            dataIndex: 'delta',
            width: 100,
            align: 'right',
            render: (delta: number) => (
              <Typography.Text type={delta < 0 ? 'danger' : 'success'}>
                {delta > 0 ? `+${count(delta)}` : count(delta)}
              </Typography.Text>
            ),
          },
          {
            title: t('detail.ledger.balanceAfter'),
            dataIndex: 'balanceAfter',
            width: 110,
            align: 'right',
            render: (value: number) => count(value),
          },
          {
            title: t('detail.ledger.reason'),
            dataIndex: 'reason',
            render: (reason: string) => <LedgerReason reason={reason} />,
          },
        ]}
      />
    </Card>
  );
}

/** Ledger reasons are `charge`, `topup: …`, `adjustment: …`: the kind in words, the operator's note as is. */
function LedgerReason({ reason }: { reason: string }) {
  const { t } = useTranslation();
  const parts = ledgerReasonParts(reason);
  if (!parts) return <span>{reason}</span>;
  const { kind, note } = parts;
  return (
    <Space size={4} wrap>
      <Tag color={kind === 'charge' ? 'default' : kind === 'topup' ? 'green' : 'orange'}>
        {t(`detail.ledgerKinds.${kind}`)}
      </Tag>
      {note ? <span>{note}</span> : null}
    </Space>
  );
}

function KeysAndRules({ detail }: { detail: AccountDetail }) {
  const { t } = useTranslation();
  return (
    <Card title={t('detail.accessTitle')} style={{ marginBottom: 16 }}>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={detail.keys}
        scroll={{ x: 560 }}
        locale={{ emptyText: <EmptyState text={t('detail.noKeys')} /> }}
        columns={[
          {
            title: t('detail.keyKind'),
            dataIndex: 'kind',
            width: 100,
            render: (kind: string) => (kind === 'appcode' ? 'APPCODE' : 'apikey'),
          },
          {
            title: t('access.hint'),
            dataIndex: 'hint',
            render: (hint: string) => <Typography.Text code>{hint}</Typography.Text>,
          },
          {
            title: t('access.label'),
            dataIndex: 'label',
            render: (label: string | null) => label || t('common.none'),
          },
          { title: t('access.created'), dataIndex: 'createdAt', width: 170, render: dateTime },
          {
            title: t('access.state'),
            dataIndex: 'revokedAt',
            width: 110,
            render: (at: string | null) =>
              at ? <Tag>{t('access.revokedShort')}</Tag> : <Tag color="success">{t('access.active')}</Tag>,
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('access.ip.title')}
      </Typography.Title>
      {detail.ipRules.length === 0 ? (
        <Typography.Text type="secondary">{t('access.ip.empty')}</Typography.Text>
      ) : (
        <Space size={[6, 6]} wrap>
          {detail.ipRules.map((rule) => (
            <Tag key={rule.id}>{rule.cidr}</Tag>
          ))}
        </Space>
      )}
    </Card>
  );
}

export function AccountDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const client = useQueryClient();
  const key = [...ACCOUNTS_KEY, 'detail', id] as const;
  const detail = useQuery({
    queryKey: key,
    queryFn: () => api.get<AccountDetail>(`/admin/accounts/${encodeURIComponent(id ?? '')}`),
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ACCOUNTS_KEY });
  const back = (
    <Link to="/admin/accounts">
      <Button icon={<ArrowLeftOutlined />}>{t('detail.back')}</Button>
    </Link>
  );

  if (detail.isPending) return <Loading />;
  if (detail.isError) {
    if (detail.error instanceof ApiError && detail.error.code === 'not_found') {
      return <Result status="404" title={t('detail.notFound')} extra={back} />;
    }
    return <LoadFailed error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  const { account } = detail.data;

  return (
    <>
      <PageTitle
        title={
          <Flex align="center" gap={8} wrap>
            <span>{account.name}</span>
            <StatusTag status={account.status} />
          </Flex>
        }
        subtitle={t('detail.subtitle', { id: account.id, created: dateTime(account.createdAt) })}
        extra={back}
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, md: 3, lg: 3, xl: 4, xxl: 4 }}
          items={[
            {
              key: 'balance',
              label: t('accounts.fields.balance'),
              children: (
                <Typography.Text
                  strong
                  className="stat-digits"
                  data-testid="account-balance"
                  style={{ fontSize: 18 }}
                >
                  {account.balance}
                </Typography.Text>
              ),
            },
            {
              key: 'feeType',
              label: t('accounts.fields.feeType'),
              children: <FeeTag feeType={account.feeType} />,
            },
            {
              key: 'credit',
              label: t('accounts.fields.creditLimit'),
              children: account.feeType === 'postpaid' ? count(account.creditLimit) : t('common.none'),
            },
            {
              key: 'qps',
              label: t('accounts.fields.qpsLimit'),
              children: account.qpsLimit === null ? t('common.default') : count(account.qpsLimit),
            },
            {
              key: 'threshold',
              label: t('accounts.fields.lowBalanceThreshold'),
              children:
                account.lowBalanceThreshold === null ? t('common.off') : count(account.lowBalanceThreshold),
            },
            {
              key: 'console',
              label: t('accounts.fields.console'),
              children: account.hasPassword ? t('accounts.consoleOn') : t('accounts.consoleOff'),
            },
          ]}
        />
      </Card>
      <Row gutter={16}>
        <Col xs={{ span: 24, order: 2 }} xl={{ span: 14, order: 1 }}>
          <Card title={t('detail.usageTitle')} style={{ marginBottom: 16 }}>
            <DailyAnswersChart daily={detail.data.usage.daily} height={300} />
          </Card>
          <LedgerCard accountId={account.id} />
          <KeysAndRules detail={detail.data} />
        </Col>
        <Col xs={{ span: 24, order: 1 }} xl={{ span: 10, order: 2 }}>
          <BalanceCard
            account={account}
            onDone={() => {
              refresh();
            }}
          />
          <EditCard account={account} onSaved={refresh} />
          <PasswordCard account={account} />
        </Col>
      </Row>
    </>
  );
}
