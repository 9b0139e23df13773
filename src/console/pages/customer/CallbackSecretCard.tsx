import { useState } from 'react';
import { Button, Card, Flex, Popconfirm, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { SecretLine, ShownOnceModal } from '../../components/ShownOnce';
import { ErrorAlert } from '../../components/feedback';

const SECRET_KEY = ['me', 'callback-secret'] as const;

/**
 * The secret that signs the account's job callbacks: rotated here, shown once. The old one stops
 * signing at once, so the receiver should accept both while the new one is rolled out.
 */
export function CallbackSecretCard() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const state = useQuery({
    queryKey: SECRET_KEY,
    queryFn: () => api.get<{ configured: boolean }>('/me/callback-secret'),
  });
  const rotate = useMutation({
    mutationFn: () => api.post<{ secret: string }>('/me/callback-secret'),
    onSuccess: ({ secret: made }) => {
      setSecret(made);
      void client.invalidateQueries({ queryKey: SECRET_KEY });
    },
  });
  const configured = state.data?.configured ?? false;
  return (
    <Card title={t('jobs.secret.title')} style={{ marginTop: 16 }} data-testid="callback-secret-card">
      <Typography.Paragraph>{t('jobs.secret.text')}</Typography.Paragraph>
      <Flex gap={12} align="center" wrap>
        <Tag color={configured ? 'green' : 'default'}>
          {configured ? t('jobs.secret.configured') : t('jobs.secret.none')}
        </Tag>
        <Popconfirm
          title={t('jobs.secret.rotateConfirm')}
          okText={t('common.yes')}
          cancelText={t('common.no')}
          onConfirm={() => rotate.mutate()}
          disabled={!configured}
        >
          <Button
            icon={<ReloadOutlined />}
            loading={rotate.isPending}
            onClick={configured ? undefined : () => rotate.mutate()}
            data-testid="callback-secret-rotate"
          >
            {configured ? t('jobs.secret.rotate') : t('jobs.secret.create')}
          </Button>
        </Popconfirm>
      </Flex>
      {rotate.isError ? <ErrorAlert error={rotate.error} /> : null}
      <ShownOnceModal
        open={secret !== null}
        title={t('jobs.secret.title')}
        warning={t('jobs.secret.once')}
        closeTestId="callback-secret-close"
        onClose={() => setSecret(null)}
      >
        {secret ? <SecretLine value={secret} testId="callback-secret" /> : null}
      </ShownOnceModal>
    </Card>
  );
}
