import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Alert, Button, Card, Flex, Form, Input, Segmented, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../wire/console-api';
import { LanguageButton } from '../components/LanguageButton';
import { errorText } from '../i18n/words';
import { homeOf, useLogin, useSession } from '../app/session';
import { Loading } from '../components/feedback';

interface Fields {
  name: string;
  password: string;
}

/** Where to go after logging in: back where the user was sent from, when that page is theirs. */
function target(role: Role, from: unknown): string {
  if (typeof from !== 'string' || from === '/login') return homeOf(role);
  return from.startsWith('/admin') === (role === 'operator') ? from : homeOf(role);
}

export function LoginPage() {
  const { t } = useTranslation();
  const session = useSession();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [role, setRole] = useState<Role>('customer');
  const from = (location.state as { from?: unknown } | null)?.from;

  if (session.isPending) return <Loading />;
  if (session.data && !login.isPending) return <Navigate to={target(session.data.role, from)} replace />;

  const submit = (fields: Fields) =>
    login.mutate(
      { role, name: fields.name.trim(), password: fields.password },
      { onSuccess: (result) => navigate(target(result.role, from), { replace: true }) },
    );

  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{
        minHeight: '100vh',
        padding: 16,
        background: 'linear-gradient(160deg, #0b1f3a 0%, #1d3d6e 100%)',
      }}
    >
      <Card style={{ width: '100%', maxWidth: 400 }} styles={{ body: { padding: 28 } }}>
        <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
          <Flex align="center" gap={10}>
            <span className="brand-mark">M</span>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {t('app.title')}
            </Typography.Title>
          </Flex>
          <LanguageButton size="small" />
        </Flex>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        <Segmented<Role>
          block
          value={role}
          onChange={(value) => {
            setRole(value);
            login.reset();
          }}
          options={[
            { value: 'customer', label: <span data-testid="login-role-customer">{t('role.customer')}</span> },
            { value: 'operator', label: <span data-testid="login-role-operator">{t('role.operator')}</span> },
          ]}
          style={{ marginBottom: 20 }}
        />
        <Form<Fields> layout="vertical" onFinish={submit} requiredMark={false} autoComplete="on">
          <Form.Item
            name="name"
            label={role === 'operator' ? t('login.operatorName') : t('login.accountName')}
            rules={[{ required: true, whitespace: true, message: t('login.nameRequired') }]}
          >
            <Input
              prefix={<UserOutlined />}
              autoComplete="username"
              data-testid="login-name"
              placeholder={role === 'operator' ? t('login.operatorName') : t('login.accountName')}
            />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password
              prefix={<LockOutlined />}
              autoComplete="current-password"
              data-testid="login-password"
              placeholder={t('login.password')}
            />
          </Form.Item>
          {login.isError ? (
            <Alert
              type="error"
              showIcon
              data-testid="login-error"
              title={errorText(t, login.error)}
              style={{ marginBottom: 16 }}
            />
          ) : null}
          <Button
            type="primary"
            htmlType="submit"
            block
            size="large"
            loading={login.isPending}
            data-testid="login-submit"
          >
            {t('login.submit')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
          {role === 'operator' ? t('login.operatorHint') : t('login.customerHint')}
        </Typography.Paragraph>
      </Card>
    </Flex>
  );
}
