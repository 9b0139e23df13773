import type { FakeReply } from './fake-upstream-server.js';

/** A seed `result` as a fake gives it; missing fields are filled for a 移动 number of 湖北-宜昌. */
export interface FakeSeedResult {
  res?: string;
  Area?: string;
  Init_isp?: string;
  Now_isp?: string;
  /** Answer for another number than the one asked (a broken upstream). */
  Mobile?: string;
}

/**
 * How a seed-contract fake answers one number: a result, one of the seed's error codes, a raw
 * HTTP reply, broken JSON, or nothing at all (`hang`); any of them after `delayMs`.
 */
export type SeedBehaviour = (
  | { result: FakeSeedResult }
  | { code: number | string; reason?: string }
  | { status: number; body?: string; headers?: Record<string, string> }
  | { brokenJson: true }
  | { hang: true }
) & { delayMs?: number };

export const SEED_REASONS: Readonly<Record<string, string>> = {
  '1': '请求参数缺失',
  '-1': 'apikey不正确',
  '-2': '查询的手机号码长度不对',
  '-3': '请填写正确的手机号码',
  '-4': '未查询到相关信息',
  '-5': '当前余额不足',
  '-6': '请求过于频繁',
  '-8': '系统错误,请稍候再试',
  '-9': 'ip地址鉴权失败',
};

export function seedReply(behaviour: SeedBehaviour, mobile: string): FakeReply {
  const delay = behaviour.delayMs ? { delayMs: behaviour.delayMs } : {};
  if ('hang' in behaviour) return { hang: true, ...delay };
  if ('brokenJson' in behaviour)
    return { status: 200, body: '{"code":0,"reason":"Succ","result":{"res":', ...delay };
  if ('status' in behaviour)
    return { status: behaviour.status, body: behaviour.body ?? '', headers: behaviour.headers, ...delay };
  if ('code' in behaviour) {
    const reason = behaviour.reason ?? SEED_REASONS[String(behaviour.code)] ?? '未知错误';
    return { status: 200, body: JSON.stringify({ code: behaviour.code, reason }), ...delay };
  }
  const result = {
    res: '0',
    Mobile: mobile,
    Area: '湖北-宜昌',
    Init_isp: '移动',
    Now_isp: behaviour.result.Init_isp ?? '移动',
    ...behaviour.result,
  };
  return { status: 200, body: JSON.stringify({ code: 0, reason: 'Succ', result }), ...delay };
}

/** Behaviours per number, with one for every other number. */
export class SeedBehaviours {
  readonly #byNumber = new Map<string, SeedBehaviour>();
  fallback: SeedBehaviour;

  constructor(fallback: SeedBehaviour, initial: Record<string, SeedBehaviour> = {}) {
    this.fallback = fallback;
    for (const [mobile, behaviour] of Object.entries(initial)) this.#byNumber.set(mobile, behaviour);
  }

  set(mobile: string, behaviour: SeedBehaviour): void {
    this.#byNumber.set(mobile, behaviour);
  }

  of(mobile: string): SeedBehaviour {
    return this.#byNumber.get(mobile) ?? this.fallback;
  }
}
