import { Col, Form, InputNumber, Select, type FormRule } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FeeType } from '../../../wire/console-api';

/** Fields of the account forms (create, edit), each half a row wide from phone width up. */

export const MIN_PASSWORD = 8;

export function NumberCol({
  name,
  label,
  extra,
  min = 0,
  rules,
  testId,
}: {
  name: string;
  label: string;
  extra?: string;
  min?: number;
  rules?: FormRule[];
  testId?: string;
}) {
  return (
    <Col xs={24} sm={12}>
      <Form.Item name={name} label={label} extra={extra} rules={rules}>
        <InputNumber min={min} precision={0} style={{ width: '100%' }} data-testid={testId} />
      </Form.Item>
    </Col>
  );
}

export function FeeTypeCol({ testId }: { testId?: string }) {
  const { t } = useTranslation();
  return (
    <Col xs={24} sm={12}>
      <Form.Item name="feeType" label={t('accounts.fields.feeType')}>
        <Select
          data-testid={testId}
          options={[
            { value: 'prepaid', label: t('feeType.prepaid') },
            { value: 'postpaid', label: t('feeType.postpaid') },
          ]}
        />
      </Form.Item>
    </Col>
  );
}

/** Credit (postpaid accounts only), QPS limit and low-balance threshold. */
export function LimitCols({
  feeType,
  testIds,
}: {
  feeType: FeeType | undefined;
  testIds?: { credit: string; qps: string; threshold: string };
}) {
  const { t } = useTranslation();
  return (
    <>
      {feeType === 'postpaid' ? (
        <NumberCol
          name="creditLimit"
          label={t('accounts.fields.creditLimit')}
          extra={t('accounts.creditHint')}
          testId={testIds?.credit}
        />
      ) : null}
      <NumberCol
        name="qpsLimit"
        label={t('accounts.fields.qpsLimit')}
        extra={t('accounts.qpsHint')}
        min={1}
        testId={testIds?.qps}
      />
      <NumberCol
        name="lowBalanceThreshold"
        label={t('accounts.fields.lowBalanceThreshold')}
        extra={t('accounts.thresholdHint')}
        testId={testIds?.threshold}
      />
    </>
  );
}
