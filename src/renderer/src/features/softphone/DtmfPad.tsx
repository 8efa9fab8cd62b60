/** 12-key pad; each key sends one DTMF digit (`<prefix>-<digit>` test ids inside `<padTestId>`). */
import { Button } from 'antd';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

export function DtmfPad({ onDigit, disabled, padTestId = 'dtmf-pad', keyTestId = 'dtmf' }: { onDigit(d: string): void; disabled?: boolean; padTestId?: string; keyTestId?: string }) {
  return (
    <div data-testid={padTestId} style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 56px)', gap: 6 }}>
      {keys.map((k) => (
        <Button key={k} onClick={() => onDigit(k)} disabled={disabled} data-testid={`${keyTestId}-${k}`}>
          {k}
        </Button>
      ))}
    </div>
  );
}
