import { Suspense, useMemo, useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { Button, Drawer, Flex, Layout, Menu, Tag, Typography, type MenuProps } from 'antd';
import {
  ApiOutlined,
  AuditOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  CloudServerOutlined,
  FileSearchOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuOutlined,
  MenuUnfoldOutlined,
  SearchOutlined,
  TeamOutlined,
  UnorderedListOutlined,
  UploadOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../wire/console-api';
import { Loading } from '../components/feedback';
import { LanguageButton } from '../components/LanguageButton';
import { useIsPhone } from '../app/media';
import { useLogout, useSession } from '../app/session';

interface NavItem {
  path: string;
  testId: string;
  label: string;
  icon: ReactNode;
}

const NAV: Record<Role, Omit<NavItem, 'label'>[]> = {
  customer: [
    { path: '/', testId: 'nav-dashboard', icon: <DashboardOutlined /> },
    { path: '/query', testId: 'nav-query', icon: <SearchOutlined /> },
    { path: '/batches', testId: 'nav-batches', icon: <UploadOutlined /> },
    { path: '/records', testId: 'nav-records', icon: <UnorderedListOutlined /> },
    { path: '/access', testId: 'nav-access', icon: <KeyOutlined /> },
    { path: '/api-docs', testId: 'nav-api-docs', icon: <ApiOutlined /> },
    { path: '/password', testId: 'nav-password', icon: <LockOutlined /> },
  ],
  operator: [
    { path: '/admin/accounts', testId: 'nav-admin-accounts', icon: <TeamOutlined /> },
    { path: '/admin/data', testId: 'nav-admin-data', icon: <DatabaseOutlined /> },
    { path: '/admin/system', testId: 'nav-admin-system', icon: <FileSearchOutlined /> },
    { path: '/admin/system/upstreams', testId: 'nav-admin-upstreams', icon: <CloudServerOutlined /> },
    { path: '/admin/audit', testId: 'nav-admin-audit', icon: <AuditOutlined /> },
    { path: '/password', testId: 'nav-password', icon: <LockOutlined /> },
  ],
};

/** The menu entry a path belongs to: the longest entry that is a prefix of it. */
function selectedPath(items: { path: string }[], pathname: string): string {
  let best = '/';
  for (const { path } of items) {
    const matches = path === '/' ? pathname === '/' : pathname === path || pathname.startsWith(`${path}/`);
    if (matches && path.length >= best.length) best = path;
  }
  return best;
}

function Brand({ collapsed }: { collapsed?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="brand">
      <span className="brand-mark">M</span>
      {collapsed ? null : <span>{t('app.brand')}</span>}
    </div>
  );
}

/** Who is signed in, and as what: in the header, or on the dark menu drawer of a phone. */
function UserBadge({ name, role, drawer = false }: { name?: string; role: Role; drawer?: boolean }) {
  const { t } = useTranslation();
  return (
    <Flex
      align="center"
      gap={drawer ? 8 : 6}
      style={drawer ? { padding: '0 20px 12px', color: 'rgba(255,255,255,0.85)' } : undefined}
    >
      <UserOutlined />
      <Typography.Text
        ellipsis
        style={drawer ? { color: 'inherit', maxWidth: 140 } : { maxWidth: 200 }}
        data-testid="user-name"
      >
        {name}
      </Typography.Text>
      <Tag color={role === 'operator' ? 'gold' : 'blue'} style={{ marginInlineEnd: 0 }}>
        {t(`role.${role}`)}
      </Tag>
    </Flex>
  );
}

export function Shell() {
  const { t } = useTranslation();
  const session = useSession().data;
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const phone = useIsPhone();
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const role: Role = session?.role ?? 'customer';

  const items = useMemo(
    () =>
      NAV[role].map((item) => ({
        ...item,
        label: t(`nav.${item.testId.replace(/^nav-/, '').replace('admin-', '')}`),
      })),
    [role, t],
  );
  const menuItems: MenuProps['items'] = items.map((item) => ({
    key: item.path,
    icon: item.icon,
    label: (
      <Link to={item.path} data-testid={item.testId} onClick={() => setDrawerOpen(false)}>
        {item.label}
      </Link>
    ),
  }));
  const selected = selectedPath(items, location.pathname);
  const menu = <Menu theme="dark" mode="inline" selectedKeys={[selected]} items={menuItems} />;

  const doLogout = () => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {phone ? (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={240}
          closable={false}
          styles={{ body: { padding: 0, background: '#001529' }, header: { display: 'none' } }}
        >
          <Brand />
          <UserBadge name={session?.name} role={role} drawer />
          {menu}
        </Drawer>
      ) : (
        <Layout.Sider
          collapsible
          collapsed={collapsed}
          trigger={null}
          width={220}
          // The bar runs the page's whole height; its menu stays in view while the page scrolls.
          style={{ minHeight: '100vh' }}
        >
          <div style={{ position: 'sticky', top: 0, maxHeight: '100vh', overflowY: 'auto' }}>
            <Brand collapsed={collapsed} />
            {menu}
          </div>
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: phone ? '0 8px' : '0 20px',
            height: 56,
            lineHeight: '56px',
            borderBottom: '1px solid #f0f0f0',
            position: 'sticky',
            top: 0,
            zIndex: 10,
          }}
        >
          <Flex align="center" justify="space-between" gap={8} style={{ height: '100%' }}>
            <Flex align="center" gap={8} style={{ minWidth: 0 }}>
              {phone ? (
                <Button
                  type="text"
                  icon={<MenuOutlined />}
                  data-testid="menu-toggle"
                  aria-label={t('nav.menu')}
                  onClick={() => setDrawerOpen(true)}
                />
              ) : (
                <Button
                  type="text"
                  icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                  aria-label={t('nav.collapse')}
                  onClick={() => setCollapsed(!collapsed)}
                />
              )}
              <Typography.Text strong ellipsis style={{ fontSize: phone ? 15 : 16 }}>
                {role === 'operator' ? t('app.operatorTitle') : t('app.customerTitle')}
              </Typography.Text>
            </Flex>
            <Flex align="center" gap={phone ? 2 : 8} style={{ flex: 'none' }}>
              {phone ? null : <UserBadge name={session?.name} role={role} />}
              <LanguageButton tooltip />
              <Button
                type="text"
                icon={<LogoutOutlined />}
                data-testid="logout"
                loading={logout.isPending}
                onClick={doLogout}
                aria-label={t('nav.logout')}
              >
                {phone ? null : t('nav.logout')}
              </Button>
            </Flex>
          </Flex>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>
          <div style={{ maxWidth: 1400, margin: '0 auto' }}>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </div>
        </Layout.Content>
        <Layout.Footer style={{ textAlign: 'center', color: '#8c8c8c', padding: '12px 16px', fontSize: 12 }}>
          {t('app.footer')}
        </Layout.Footer>
      </Layout>
    </Layout>
  );
}
