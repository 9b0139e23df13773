import { Button, Tooltip, type ButtonProps } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n';

/** Switches the console between Chinese and English; it names the language it switches to. */
export function LanguageButton({ size, tooltip = false }: { size?: ButtonProps['size']; tooltip?: boolean }) {
  const { t, i18n } = useTranslation();
  const english = i18n.language === 'en';
  const button = (
    <Button
      type="text"
      size={size}
      icon={<GlobalOutlined />}
      data-testid="lang-switch"
      onClick={() => setLanguage(english ? 'zh' : 'en')}
    >
      {english ? '中文' : 'EN'}
    </Button>
  );
  return tooltip ? <Tooltip title={t('lang.tooltip')}>{button}</Tooltip> : button;
}
