/** 编辑 / 删除 on a rule's row (分拨规则, 时限规则): delete asks first. */
import { useTranslation } from 'react-i18next';
import { Button, Popconfirm, Space } from 'antd';

export function RuleRowActions({ testIdPrefix, id, onEdit, onDelete }: { testIdPrefix: string; id: string; onEdit: () => void; onDelete: () => Promise<void> }) {
  const { t } = useTranslation();
  return (
    <Space size={0}>
      <Button type="link" size="small" onClick={onEdit} data-testid={`${testIdPrefix}-edit-${id}`}>
        {t('common.edit')}
      </Button>
      <Popconfirm title={t('refdata.deleteConfirm')} onConfirm={onDelete} okButtonProps={{ danger: true }}>
        <Button type="link" size="small" danger data-testid={`${testIdPrefix}-delete-${id}`}>
          {t('refdata.delete')}
        </Button>
      </Popconfirm>
    </Space>
  );
}
