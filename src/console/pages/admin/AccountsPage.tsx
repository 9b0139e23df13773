import { useState } from 'react';
import { Link } from 'react-router';
import { Alert, Button, Card, Flex, Form, Input, Modal, Result, Row, Table, Typography } from 'antd';
import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { AdminAccount, FeeType } from '../../../wire/console-api';
import { CopyButton } from '../../components/CopyButton';
import { EmptyState, ErrorAlert } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { useDebounced } from '../../lib/debounce';
import { count, dateTime } from '../../lib/format';
import { FeeTypeCol, LimitCols, MIN_PASSWORD, NumberCol } from './account-fields';
import { ACCOUNTS_KEY, FeeTag, StatusTag } from './account-parts';

interface CreateFields {
  name: string;
  feeType: FeeType;
  balance: number;
  creditLimit?: number | null;
  qpsLimit?: number | null;
  lowBalanceThreshold?: number | null;
  password?: string;
}

function CreateAccountModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form] = Form.useForm<CreateFields>();
  const feeType = Form.useWatch('feeType', form);
  const create = useMutation({
    mutationFn: (fields: CreateFields) =>
      api.post<{ account: AdminAccount; apikey: string }>('/admin/accounts', {
        name: fields.name.trim(),
        feeType: fields.feeType,
        balance: fields.balance ?? 0,
        creditLimit: fields.feeType === 'postpaid' ? (fields.creditLimit ?? 0) : undefined,
        qpsLimit: fields.qpsLimit ?? undefined,
        lowBalanceThreshold: fields.lowBalanceThreshold ?? undefined,
        password: fields.password ? fields.password : undefined,
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ACCOUNTS_KEY }),
  });
  const close = () => {
    form.resetFields();
    create.reset();
    onClose();
  };
  const created = create.data;

  return (
    <Modal
      open={open}
      title={created ? t('accounts.createdTitle') : t('accounts.createTitle')}
      onCancel={close}
      destroyOnHidden
      mask={{ closable: !created }}
      footer={
        created ? (
          <Flex gap={8} justify="flex-end" wrap>
            <Link to={`/admin/accounts/${created.account.id}`} onClick={close}>
              <Button>{t('accounts.openCreated')}</Button>
            </Link>
            <Button type="primary" onClick={close} data-testid="account-created-close">
              {t('access.secretSaved')}
            </Button>
          </Flex>
        ) : (
          <Flex gap={8} justify="flex-end">
            <Button onClick={close}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              loading={create.isPending}
              onClick={() => form.submit()}
              data-testid="account-form-submit"
            >
              {t('accounts.create')}
            </Button>
          </Flex>
        )
      }
    >
      {created ? (
        <Result
          status="success"
          title={t('accounts.createdText', { name: created.account.name })}
          subTitle={t('accounts.apikeyOnce')}
          style={{ padding: '8px 0' }}
          extra={
            <Flex gap={8} align="center" style={{ textAlign: 'left' }}>
              <Typography.Text
                className="secret-box"
                data-testid="account-apikey"
                style={{ flex: 1, minWidth: 0 }}
              >
                {created.apikey}
              </Typography.Text>
              <CopyButton text={created.apikey} label />
            </Flex>
          }
        />
      ) : (
        <Form<CreateFields>
          form={form}
          layout="vertical"
          initialValues={{ feeType: 'prepaid', balance: 0 }}
          onFinish={(fields) => create.mutate(fields)}
          requiredMark={false}
        >
          <Form.Item
            name="name"
            label={t('accounts.fields.name')}
            rules={[{ required: true, whitespace: true, message: t('accounts.nameRequired') }]}
            extra={t('accounts.nameHint')}
          >
            <Input data-testid="account-form-name" maxLength={64} autoComplete="off" />
          </Form.Item>
          <Row gutter={12}>
            <FeeTypeCol testId="account-form-fee-type" />
            <NumberCol
              name="balance"
              label={t('accounts.fields.openingBalance')}
              rules={[{ required: true, message: t('accounts.balanceRequired') }]}
              testId="account-form-balance"
            />
            <LimitCols
              feeType={feeType}
              testIds={{
                credit: 'account-form-credit',
                qps: 'account-form-qps',
                threshold: 'account-form-threshold',
              }}
            />
          </Row>
          <Form.Item
            name="password"
            label={t('accounts.fields.password')}
            extra={t('accounts.passwordHint')}
            rules={[{ min: MIN_PASSWORD, message: t('password.rule') }]}
          >
            <Input.Password autoComplete="new-password" data-testid="account-form-password" />
          </Form.Item>
          {create.isError ? <ErrorAlert error={create.error} testId="account-form-error" /> : null}
        </Form>
      )}
    </Modal>
  );
}

export function AccountsPage() {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const search = useDebounced(typed.trim());
  const [creating, setCreating] = useState(false);
  const accounts = useQuery({
    queryKey: [...ACCOUNTS_KEY, search],
    queryFn: () => api.get<AdminAccount[]>('/admin/accounts', { search }),
    placeholderData: keepPreviousData,
  });
  const rows = accounts.data ?? [];

  return (
    <>
      <PageTitle
        title={t('accounts.title')}
        subtitle={t('accounts.subtitle')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="account-create"
          >
            {t('accounts.create')}
          </Button>
        }
      />
      <Card>
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('accounts.searchPlaceholder')}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          style={{ maxWidth: 420, marginBottom: 16 }}
          data-testid="account-search"
        />
        {accounts.isError ? (
          <ErrorAlert error={accounts.error} onRetry={() => void accounts.refetch()} />
        ) : (
          <Table<AdminAccount>
            data-testid="accounts-table"
            size="middle"
            rowKey="id"
            loading={accounts.isFetching}
            dataSource={rows}
            pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            scroll={{ x: 1080 }}
            locale={{
              emptyText: (
                <EmptyState text={search ? t('accounts.noMatch', { search }) : t('accounts.empty')} />
              ),
            }}
            columns={[
              {
                title: t('accounts.fields.name'),
                dataIndex: 'name',
                fixed: 'left',
                width: 180,
                render: (name: string, row) => (
                  <Link to={`/admin/accounts/${row.id}`} data-testid={`account-row-${name}`}>
                    {name}
                  </Link>
                ),
              },
              {
                title: t('accounts.fields.feeType'),
                dataIndex: 'feeType',
                width: 100,
                render: (fee: FeeType) => <FeeTag feeType={fee} />,
              },
              {
                title: t('accounts.fields.balance'),
                dataIndex: 'balance',
                width: 120,
                align: 'right',
                render: (value: number, row) => (
                  <Typography.Text
                    type={
                      row.lowBalanceThreshold !== null && value < row.lowBalanceThreshold
                        ? 'danger'
                        : undefined
                    }
                  >
                    {count(value)}
                  </Typography.Text>
                ),
              },
              {
                title: t('accounts.fields.creditLimit'),
                dataIndex: 'creditLimit',
                width: 110,
                align: 'right',
                render: (value: number, row) =>
                  row.feeType === 'postpaid' ? count(value) : t('common.none'),
              },
              {
                title: t('accounts.fields.qpsLimit'),
                dataIndex: 'qpsLimit',
                width: 100,
                align: 'right',
                render: (value: number | null) => (value === null ? t('common.default') : count(value)),
              },
              {
                title: t('accounts.fields.status'),
                dataIndex: 'status',
                width: 100,
                render: (_, row) => <StatusTag status={row.status} />,
              },
              {
                title: t('accounts.fields.console'),
                dataIndex: 'hasPassword',
                width: 120,
                render: (has: boolean) => (has ? t('accounts.consoleOn') : t('accounts.consoleOff')),
              },
              { title: t('accounts.fields.createdAt'), dataIndex: 'createdAt', width: 180, render: dateTime },
            ]}
          />
        )}
        {rows.length > 0 ? (
          <Alert
            type="info"
            showIcon={false}
            style={{ marginTop: 12 }}
            title={t('accounts.summary', {
              count: rows.length,
              suspended: rows.filter((row) => row.status === 'suspended').length,
            })}
          />
        ) : null}
      </Card>
      <CreateAccountModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
