import type { ReactNode } from 'react';
import { Alert, Button, Flex, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from './CopyButton';

/**
 * A secret the server keeps only hashed or sealed is shown this once: the dialog says so and
 * closes only when the user says the secret is saved.
 */
export function ShownOnceModal({
  open,
  title,
  warning,
  closeTestId,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  warning: string;
  closeTestId: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      mask={{ closable: false }}
      footer={
        <Button type="primary" onClick={onClose} data-testid={closeTestId}>
          {t('access.secretSaved')}
        </Button>
      }
    >
      <Alert type="warning" showIcon title={warning} style={{ marginBottom: 16 }} />
      {children}
    </Modal>
  );
}

/** One secret in a ShownOnceModal, with its copy button (`<testId>-copy`) and an optional name. */
export function SecretLine({ value, testId, name }: { value: string; testId: string; name?: string }) {
  return (
    <Flex gap={8} align="center" style={{ marginBottom: 8 }}>
      {name ? (
        <Typography.Text strong style={{ width: 90 }}>
          {name}
        </Typography.Text>
      ) : null}
      <Typography.Text className="secret-box" data-testid={testId} style={{ flex: 1, minWidth: 0 }}>
        {value}
      </Typography.Text>
      <CopyButton text={value} testId={`${testId}-copy`} label />
    </Flex>
  );
}
