import { describe, expect, it } from 'vitest';
import { Selection } from './selection.ts';

const keys = ['a', 'b', 'c', 'd', 'e'];

describe('Selection', () => {
  it('click selects one, toggle adds and removes, range selects from the anchor', () => {
    const s = new Selection();
    s.setKeys(keys);
    s.click(1);
    expect(s.selectedKeys()).toEqual(['b']);
    s.click(3, { toggle: true });
    expect(s.selectedKeys()).toEqual(['b', 'd']);
    s.click(1, { toggle: true });
    expect(s.selectedKeys()).toEqual(['d']);
    s.click(0, { range: true });
    expect(s.selectedKeys()).toEqual(['a', 'b']);
    expect(s.focus).toBe(0);
  });

  it('moves the focus with the keyboard, extending with shift, clamped at the ends', () => {
    const s = new Selection();
    s.setKeys(keys);
    s.moveFocus(1);
    expect(s.focusedKey).toBe('a');
    s.moveFocus(2, true);
    expect(s.selectedKeys()).toEqual(['a', 'b', 'c']);
    s.moveFocus(10);
    expect(s.selectedKeys()).toEqual(['e']);
    s.moveFocus(-100);
    expect(s.focusedKey).toBe('a');
    s.toggleFocused();
    expect(s.selectedKeys()).toEqual([]);
  });

  it('keeps selection and focus by key when the list changes, dropping keys that left', () => {
    const s = new Selection();
    s.setKeys(keys);
    s.click(1);
    s.click(4, { toggle: true });
    s.setKeys(['e', 'x', 'b']);
    expect(s.selectedKeys()).toEqual(['e', 'b']);
    expect(s.focusedKey).toBe('e');
    s.setKeys(['x']);
    expect(s.size).toBe(0);
    expect(s.focus).toBe(-1);
  });

  it('selects all, clears, and selects one key on request', () => {
    const s = new Selection();
    s.setKeys(keys);
    s.selectAll();
    expect(s.size).toBe(5);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.only('c')).toBe(true);
    expect(s.selectedKeys()).toEqual(['c']);
    expect(s.only('zz')).toBe(false);
  });
});
