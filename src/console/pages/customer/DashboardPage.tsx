import { Alert, Card, Col, Row, Statistic, Tag, Tooltip, Typography } from 'antd';
import { InfoCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { DailyAnswersChart } from '../../components/DailyAnswersChart';
import { LoadFailed, Loading } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { count, percent } from '../../lib/format';
import { useOverview } from './overview';

function Hint({ text }: { text: string }) {
  return (
    <Tooltip title={text}>
      <InfoCircleOutlined style={{ marginInlineStart: 6, color: '#8c8c8c' }} />
    </Tooltip>
  );
}

export function DashboardPage() {
  const { t } = useTranslation();
  const overview = useOverview();
  if (overview.isPending) return <Loading />;
  if (overview.isError) return <LoadFailed error={overview.error} onRetry={() => void overview.refetch()} />;
  const { account, lowBalance, today, month, successRate, portedShare, daily } = overview.data;

  return (
    <>
      <PageTitle title={t('dashboard.title')} subtitle={t('dashboard.welcome', { name: account.name })} />
      {account.status === 'suspended' ? (
        <Alert type="error" showIcon title={t('dashboard.suspended')} style={{ marginBottom: 16 }} />
      ) : null}
      {lowBalance ? (
        <Alert
          type="warning"
          showIcon
          data-testid="low-balance-alert"
          title={t('dashboard.lowBalance')}
          description={t('dashboard.lowBalanceText', {
            balance: count(account.balance),
            threshold: count(account.lowBalanceThreshold),
          })}
          style={{ marginBottom: 16 }}
        />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          <Card style={{ height: '100%' }}>
            <Statistic
              title={
                <>
                  {t('dashboard.balance')}{' '}
                  <Tag color={account.feeType === 'prepaid' ? 'blue' : 'purple'}>
                    {t(`feeType.${account.feeType}`)}
                  </Tag>
                </>
              }
              value={account.balance}
              formatter={() => (
                <span
                  className="stat-digits"
                  data-testid="balance-value"
                  style={{ color: lowBalance ? '#d4380d' : undefined }}
                >
                  {account.balance}
                </span>
              )}
            />
            <Typography.Text type="secondary">
              {account.feeType === 'postpaid'
                ? t('dashboard.creditLimit', { limit: count(account.creditLimit) })
                : t('dashboard.prepaidNote')}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card style={{ height: '100%' }}>
            <Statistic title={t('dashboard.today')} value={today.answers} />
            <Typography.Text type="secondary">
              {t('dashboard.chargedPorted', { charged: count(today.charged), ported: count(today.ported) })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card style={{ height: '100%' }}>
            <Statistic title={t('dashboard.month')} value={month.answers} />
            <Typography.Text type="secondary">
              {t('dashboard.chargedPorted', { charged: count(month.charged), ported: count(month.ported) })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card style={{ height: '100%' }}>
            <Row gutter={8}>
              <Col span={12}>
                <Statistic
                  title={
                    <>
                      {t('dashboard.successRate')}
                      <Hint text={t('dashboard.successRateHint')} />
                    </>
                  }
                  value={percent(successRate)}
                />
              </Col>
              <Col span={12}>
                <Statistic
                  title={
                    <>
                      {t('dashboard.portedShare')}
                      <Hint text={t('dashboard.portedShareHint')} />
                    </>
                  }
                  value={percent(portedShare)}
                />
              </Col>
            </Row>
            <Typography.Text type="secondary">{t('dashboard.last30')}</Typography.Text>
          </Card>
        </Col>
      </Row>
      <Card title={t('dashboard.dailyTitle')} style={{ marginTop: 16 }}>
        <DailyAnswersChart daily={daily} />
      </Card>
    </>
  );
}
