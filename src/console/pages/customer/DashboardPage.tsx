import { Alert, Card, Col, Row, Statistic, Tag, Tooltip, Typography } from 'antd';
import { InfoCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { PeriodStats } from '../../../wire/console-api';
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

/** A quarter row on wide screens: one period's answers, what was charged and how many were ported. */
function PeriodCard({ title, period }: { title: string; period: PeriodStats }) {
  const { t } = useTranslation();
  return (
    <Col xs={24} sm={12} xl={6}>
      <Card style={{ height: '100%' }}>
        <Statistic title={title} value={period.answers} />
        <Typography.Text type="secondary">
          {t('dashboard.chargedPorted', { charged: count(period.charged), ported: count(period.ported) })}
        </Typography.Text>
      </Card>
    </Col>
  );
}

/** Half a card: a share over the last 30 days, with what it means on hover. */
function ShareStatistic({ title, hint, share }: { title: string; hint: string; share: number | null }) {
  return (
    <Col span={12}>
      <Statistic
        title={
          <>
            {title}
            <Hint text={hint} />
          </>
        }
        value={percent(share)}
      />
    </Col>
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
        <PeriodCard title={t('dashboard.today')} period={today} />
        <PeriodCard title={t('dashboard.month')} period={month} />
        <Col xs={24} sm={12} xl={6}>
          <Card style={{ height: '100%' }}>
            <Row gutter={8}>
              <ShareStatistic
                title={t('dashboard.successRate')}
                hint={t('dashboard.successRateHint')}
                share={successRate}
              />
              <ShareStatistic
                title={t('dashboard.portedShare')}
                hint={t('dashboard.portedShareHint')}
                share={portedShare}
              />
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
