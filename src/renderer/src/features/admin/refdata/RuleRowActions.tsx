/**
 * The actions on a 基础数据 row: 编辑 always; 删除 on rules (分拨规则, 时限规则); 停用 / 启用 and
 * 新增下级 on codes (诉求类型, 分类, 区划), which are never deleted because tickets keep them.
 * Delete and disable ask first.
 */
import { useTranslation } from 'react-i18next';
import { Button, Popconfirm, Space } from 'antd';

interface Props {
  testIdPrefix: string;
  id: string;
  onEdit: () => void;
  onDelete?: () => Promise<void>;
  /** 停用 (asks, with what it means) / 启用. */
  toggle?: { active: boolean; confirm: string; onToggle: () => Promise<void> };
  onAddChild?: () => void;
}

export function RuleRowActions({ testIdPrefix, id, onEdit, onDelete, toggle, onAddChild }: Props) {
  const { t } = useTranslation();
  return (
    <Space size={0}>
      <Button type="link" size="small" onClick={onEdit} data-testid={`${testIdPrefix}-edit-${id}`}>
        {t('common.edit')}
      </Button>
      {onAddChild && (
        <Button type="link" size="small" onClick={onAddChild} data-testid={`${testIdPrefix}-add-child-${id}`}>
          {t('refdata.codes.addChild')}
        </Button>
      )}
      {toggle &&
        (toggle.active ? (
          <Popconfirm title={toggle.confirm} onConfirm={toggle.onToggle} okButtonProps={{ danger: true, ...({ 'data-testid': `${testIdPrefix}-disable-confirm-${id}` } as Record<`data-${string}`, string>) }}>
            <Button type="link" size="small" danger data-testid={`${testIdPrefix}-disable-${id}`}>
              {t('refdata.codes.disable')}
            </Button>
          </Popconfirm>
        ) : (
          <Button type="link" size="small" onClick={() => void toggle.onToggle()} data-testid={`${testIdPrefix}-enable-${id}`}>
            {t('refdata.codes.enable')}
          </Button>
        ))}
      {onDelete && (
        <Popconfirm title={t('refdata.deleteConfirm')} onConfirm={onDelete} okButtonProps={{ danger: true }}>
          <Button type="link" size="small" danger data-testid={`${testIdPrefix}-delete-${id}`}>
            {t('refdata.delete')}
          </Button>
        </Popconfirm>
      )}
    </Space>
  );
}
