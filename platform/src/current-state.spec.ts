import { describe, expect, it } from '@jest/globals';
import {
  isCurrentState,
  markCurrentState,
  takeCurrentStateMark,
  withCurrentStateMark,
} from './current-state.js';

describe('current-state marks', () => {
  it('marks objects, not other values, and keeps the value itself', () => {
    const state = { id: 'o-1', status: 'PENDING' };
    expect(isCurrentState(state)).toBe(false);
    expect(markCurrentState(state)).toBe(state);
    expect(isCurrentState(state)).toBe(true);
    expect(isCurrentState({ ...state })).toBe(false);
    expect(markCurrentState('text')).toBe('text');
    expect(isCurrentState('text')).toBe(false);
    expect(isCurrentState(null)).toBe(false);
  });

  it('puts the mark in extensions beside what is there, and takes it off again', () => {
    const marked = withCurrentStateMark({ data: { a: 1 }, extensions: { traceparent: 'tp' } });
    expect(marked).toEqual({ data: { a: 1 }, extensions: { traceparent: 'tp', currentState: true } });
    expect(takeCurrentStateMark(marked)).toEqual({
      current: true,
      result: { data: { a: 1 }, extensions: { traceparent: 'tp' } },
    });
    expect(takeCurrentStateMark(withCurrentStateMark({ data: { a: 1 } }))).toEqual({
      current: true,
      result: { data: { a: 1 } },
    });
  });

  it('leaves an unmarked result as it is', () => {
    const plain = { data: { a: 1 }, extensions: { traceparent: 'tp' } };
    const taken = takeCurrentStateMark(plain);
    expect(taken.current).toBe(false);
    expect(taken.result).toBe(plain);
    expect(takeCurrentStateMark({ data: null, extensions: { currentState: 'yes' } })).toEqual({
      current: false,
      result: { data: null },
    });
  });
});
