/**
 * Multiple-choice antd Select whose dropdown closes after each pick. With a handful of
 * options (roles, supervisors) this is calmer than a dropdown that stays open over the
 * rest of the form, and it lets end-to-end tests click "field, option, next field".
 * Options may carry `data-testid`; it lands on the option element (virtual list off, so
 * each option is rendered exactly once).
 */
import { useState } from 'react';
import { Select, type SelectProps } from 'antd';

export function PickList(props: Omit<SelectProps, 'mode' | 'open' | 'onOpenChange' | 'virtual'>) {
  const [open, setOpen] = useState(false);
  return (
    <Select
      showSearch={{ optionFilterProp: 'label' }}
      {...props}
      mode="multiple"
      virtual={false}
      open={open}
      onOpenChange={setOpen}
      onSelect={(value, option) => {
        setOpen(false);
        props.onSelect?.(value, option);
      }}
    />
  );
}
