import { useState } from 'react';
import { Button, Card, DatePicker, Flex, Form, Input, Select, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { apiUrl } from '../../api/client';
import { useIsPhone } from '../../app/media';
import type { QueryRecord } from '../../../wire/console-api';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageTitle } from '../../components/PageTitle';
import { RESULT_CODES, carrierName, codeName, codeReason, resText } from '../../i18n/words';
import { codeColor } from '../../lib/codes';
import { dateTime } from '../../lib/format';

interface Filters {
  from?: string;
  to?: string;
  code?: number;
  mobile?: string;
}

interface FormFields {
  range?: [Dayjs | null, Dayjs | null] | null;
  code?: number;
  mobile?: string;
}

const PAGE_SIZE = 50;

function toFilters(fields: FormFields): Filters {
  const [from, to] = fields.range ?? [];
  return {
    from: from ? from.format('YYYY-MM-DD') : undefined,
    to: to ? to.format('YYYY-MM-DD') : undefined,
    code: fields.code,
    mobile: fields.mobile?.trim() || undefined,
  };
}

export function RecordsPage() {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const [form] = Form.useForm<FormFields>();
  const [filters, setFilters] = useState<Filters>({});
  const records = usePagedList<QueryRecord>({
    key: ['me', 'records', filters],
    path: '/me/records',
    params: { ...filters, limit: PAGE_SIZE },
  });
  const fieldWidth = phone ? '100%' : 200;
  const apply = (fields: FormFields) => {
    setFilters(toFilters(fields));
    records.pages.reset();
  };

  return (
    <>
      <PageTitle
        title={t('records.title')}
        subtitle={t('records.subtitle')}
        extra={
          <Button
            icon={<DownloadOutlined />}
            href={apiUrl('/me/records.csv', { ...filters })}
            data-testid="records-export"
          >
            {t('records.export')}
          </Button>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Form<FormFields>
          form={form}
          layout={phone ? 'vertical' : 'inline'}
          onFinish={apply}
          style={{ rowGap: 12 }}
        >
          <Form.Item name="range" label={t('records.range')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} style={{ width: phone ? '100%' : undefined }} />
          </Form.Item>
          <Form.Item name="code" label={t('records.code')}>
            <Select
              allowClear
              placeholder={t('records.allCodes')}
              style={{ width: fieldWidth }}
              data-testid="records-code"
              options={RESULT_CODES.map((code) => ({ value: code, label: `${code} · ${codeName(t, code)}` }))}
            />
          </Form.Item>
          <Form.Item name="mobile" label={t('records.mobile')}>
            <Input
              allowClear
              placeholder={t('records.mobilePlaceholder')}
              style={{ width: fieldWidth }}
              data-testid="records-mobile"
            />
          </Form.Item>
          <Form.Item>
            <Flex gap={8}>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="records-search">
                {t('common.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  apply({});
                }}
              >
                {t('common.reset')}
              </Button>
            </Flex>
          </Form.Item>
        </Form>
      </Card>
      <Card>
        <PagedTable
          list={records}
          data-testid="records-table"
          scroll={{ x: 1040 }}
          empty={t('records.empty')}
          columns={[
            { title: t('records.columns.at'), dataIndex: 'at', width: 165, render: dateTime },
            { title: t('records.columns.mobile'), dataIndex: 'mobile', width: 125 },
            {
              title: t('records.columns.code'),
              dataIndex: 'code',
              width: 140,
              render: (code: number) => (
                <Tooltip title={codeReason(t, code)}>
                  <Tag color={codeColor(code)}>
                    {code} · {codeName(t, code)}
                  </Tag>
                </Tooltip>
              ),
            },
            {
              title: t('records.columns.res'),
              dataIndex: 'res',
              width: 110,
              render: (res: string | null) => resText(t, res),
            },
            {
              title: t('records.columns.initIsp'),
              dataIndex: 'initIsp',
              width: 90,
              render: (name: string | null) => carrierName(t, name),
            },
            {
              title: t('records.columns.nowIsp'),
              dataIndex: 'nowIsp',
              width: 90,
              render: (name: string | null) => carrierName(t, name),
            },
            {
              title: t('records.columns.clientIp'),
              dataIndex: 'clientIp',
              width: 130,
              render: (ip) => ip ?? t('common.none'),
            },
            {
              title: t('records.columns.latency'),
              dataIndex: 'latencyMs',
              width: 80,
              render: (ms: number | null) => (ms === null ? t('common.none') : `${ms} ms`),
            },
            {
              title: t('records.columns.source'),
              dataIndex: 'source',
              width: 130,
              render: (source: string | null | undefined) => source ?? t('common.none'),
            },
            {
              title: t('records.columns.requestId'),
              dataIndex: 'requestId',
              ellipsis: true,
              render: (id: string | null) =>
                id ? <Typography.Text copyable={{ text: id }}>{id}</Typography.Text> : t('common.none'),
            },
          ]}
        />
      </Card>
    </>
  );
}
