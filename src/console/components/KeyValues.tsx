import { Descriptions, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ledgerReasonText } from '../i18n/words';

/** Names and values of free-form objects (audit details, import reports) in the current language. */
export function useWords() {
  const { t, i18n } = useTranslation();
  const label = (key: string) => (i18n.exists(`fields.${key}`) ? t(`fields.${key}`) : key);
  const plain = (value: unknown): string => {
    if (value === null || value === undefined || value === '') return '—';
    if (Array.isArray(value)) return value.map(plain).join(', ');
    if (typeof value === 'object') {
      return Object.entries(value as Record<string, unknown>)
        .map(([key, inner]) => `${label(key)} ${plain(inner)}`)
        .join('; ');
    }
    if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
    if (typeof value === 'string' && i18n.exists(`values.${value}`)) return t(`values.${value}`);
    if (typeof value === 'string') return ledgerReasonText(t, value);
    return String(value);
  };
  return { label, plain };
}

/** Small tags `field: value`, for table cells; never JSON. */
export function KeyValueTags({ value }: { value: unknown }) {
  const { label, plain } = useWords();
  if (value === null || value === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  if (typeof value !== 'object' || Array.isArray(value)) return <span>{plain(value)}</span>;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {entries.map(([key, inner]) => (
        <Tag key={key} style={{ marginInlineEnd: 0, whiteSpace: 'normal' }}>
          {label(key)}: {plain(inner)}
        </Tag>
      ))}
    </Space>
  );
}

/** A flat object as a descriptions list. */
export function KeyValueList({ value, column = 2 }: { value: Record<string, unknown>; column?: number }) {
  const { label, plain } = useWords();
  return (
    <Descriptions
      bordered
      size="small"
      column={{ xs: 1, sm: 1, md: column, lg: column, xl: column, xxl: column }}
      items={Object.entries(value).map(([key, inner]) => ({
        key,
        label: label(key),
        children: plain(inner),
      }))}
    />
  );
}
