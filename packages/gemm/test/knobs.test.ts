// The process-wide knobs: defaults, round trips and bad values. Each test puts the defaults back.

import { getDeviceProperties, isAvailable } from '@dg/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { DgArgumentError, getNumSms, getPdl, getTcUtil, setNumSms, setPdl, setTcUtil } from '../src/index.js';
import { expectGemmError } from './helpers.js';

afterEach(() => {
  setNumSms(undefined);
  setPdl(false);
  setTcUtil(100);
});

describe('knobs', () => {
  it('numSms defaults to the device SM count, undefined without a GPU', () => {
    expect(getNumSms()).toBe(isAvailable() ? getDeviceProperties().smCount : undefined);
  });

  it('numSms round-trips and resets with undefined', () => {
    setNumSms(8);
    expect(getNumSms()).toBe(8);
    setNumSms(undefined);
    expect(getNumSms()).toBe(isAvailable() ? getDeviceProperties().smCount : undefined);
  });

  it.each([0, -2, 1.5, Number.NaN, '8', null])('setNumSms(%s) throws DgArgumentError', (n) => {
    expectGemmError(() => setNumSms(n as never), DgArgumentError, 'n');
  });

  it('pdl defaults to off and round-trips', () => {
    expect(getPdl()).toBe(false);
    setPdl(true);
    expect(getPdl()).toBe(true);
    expectGemmError(() => setPdl(1 as never), DgArgumentError, 'on');
  });

  it('tcUtil defaults to 100, 0 means 100, and only integers in 0..100 are taken', () => {
    expect(getTcUtil()).toBe(100);
    setTcUtil(60);
    expect(getTcUtil()).toBe(60);
    setTcUtil(0);
    expect(getTcUtil()).toBe(100);
    for (const bad of [-1, 101, 50.5, '50']) expectGemmError(() => setTcUtil(bad as never), DgArgumentError, 'percent');
  });
});
