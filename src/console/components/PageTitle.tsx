import type { ReactNode } from 'react';
import { Flex, Typography } from 'antd';

export function PageTitle({
  title,
  extra,
  subtitle,
}: {
  title: ReactNode;
  extra?: ReactNode;
  subtitle?: ReactNode;
}) {
  return (
    <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
      <div style={{ minWidth: 0 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {subtitle ? <Typography.Text type="secondary">{subtitle}</Typography.Text> : null}
      </div>
      {extra ? <div>{extra}</div> : null}
    </Flex>
  );
}
