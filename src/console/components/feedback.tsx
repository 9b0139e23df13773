import { Alert, Button, Empty, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorDetail, errorText } from '../i18n/words';

/** A failure in words, with the server's detail under it when it says something useful. */
export function ErrorAlert({
  error,
  onRetry,
  testId,
}: {
  error: unknown;
  onRetry?: () => void;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      data-testid={testId}
      title={errorText(t, error)}
      description={errorDetail(error, i18n.language)}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}

export function EmptyState({ text }: { text: string }) {
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} />;
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin description={t('common.loading')} />
    </div>
  );
}

/** What a page shows when its data failed to load: the reason and a way to try again. */
export function LoadFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Result
      status="warning"
      title={t('common.loadFailed')}
      subTitle={errorText(t, error)}
      extra={<Button onClick={onRetry}>{t('common.retry')}</Button>}
    />
  );
}

/**
 * An ErrorAlert in a block of its own, kept 16 px from what follows it (or, with `above`, from what
 * precedes it); nothing while there is no error.
 */
export function ErrorBlock({
  error,
  onRetry,
  above = false,
  testId,
}: {
  error: unknown;
  onRetry?: () => void;
  above?: boolean;
  testId?: string;
}) {
  if (!error) return null;
  return (
    <div style={above ? { marginTop: 16 } : { marginBottom: 16 }} data-testid={testId}>
      <ErrorAlert error={error} onRetry={onRetry} />
    </div>
  );
}
