import { App, Button, Card, Form, Input } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ErrorAlert } from '../components/feedback';
import { PageTitle } from '../components/PageTitle';

interface Fields {
  current: string;
  next: string;
  confirm: string;
}

/** At least as long as the server's rule (passwords.ts): refused there anyway, said here first. */
const MIN_PASSWORD = 8;

export default function PasswordPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const change = useMutation({
    mutationFn: (fields: Fields) =>
      api.post<void>('/password', { current: fields.current, next: fields.next }),
    onSuccess: () => {
      form.resetFields();
      void message.success(t('password.done'));
    },
  });
  return (
    <>
      <PageTitle title={t('password.title')} subtitle={t('password.subtitle')} />
      <Card style={{ maxWidth: 520 }}>
        <Form<Fields>
          form={form}
          layout="vertical"
          onFinish={(fields) => change.mutate(fields)}
          requiredMark={false}
        >
          <Form.Item
            name="current"
            label={t('password.current')}
            rules={[{ required: true, message: t('password.currentRequired') }]}
          >
            <Input.Password autoComplete="current-password" data-testid="password-current" />
          </Form.Item>
          <Form.Item
            name="next"
            label={t('password.next')}
            extra={t('password.rule')}
            rules={[{ required: true, min: MIN_PASSWORD, message: t('password.rule') }]}
          >
            <Input.Password autoComplete="new-password" data-testid="password-next" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('password.confirm')}
            dependencies={['next']}
            rules={[
              { required: true, message: t('password.confirmRequired') },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || getFieldValue('next') === value
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('password.mismatch'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="password-confirm" />
          </Form.Item>
          {change.isError ? (
            <div style={{ marginBottom: 16 }}>
              <ErrorAlert error={change.error} testId="password-error" />
            </div>
          ) : null}
          <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="password-submit">
            {t('password.submit')}
          </Button>
        </Form>
      </Card>
    </>
  );
}
