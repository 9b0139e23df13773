import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { homeOf, useSession } from '../app/session';

export function NotFoundPage() {
  const { t } = useTranslation();
  const role = useSession().data?.role ?? 'customer';
  return (
    <Result
      status="404"
      title={t('common.notFoundTitle')}
      subTitle={t('common.notFoundText')}
      extra={
        <Link to={homeOf(role)}>
          <Button type="primary">{t('common.goHome')}</Button>
        </Link>
      }
    />
  );
}
