/**
 * The answer codes of the public contract, in one place: routes, XML, JSONP, the CLI and the
 * OpenAPI document all take code and reason from here.
 */
export const ResultCode = {
  Ok: 0,
  MissingParameter: 1,
  BadApiKey: -1,
  BadLength: -2,
  NotMobile: -3,
  NoData: -4,
  InsufficientBalance: -5,
  /** Our extension: the seed has no code for rate limiting. */
  RateLimited: -6,
  /**
   * Our extension: a requestId (or Idempotency-Key) already used for another number; the first
   * answer is not replayed for a different question, and nothing is charged.
   */
  RequestIdReused: -7,
  SystemError: -8,
  IpDenied: -9,
  /**
   * Our extension: a signed request (AppKey/AppSecret, `X-Ca-*` headers) whose signature does not
   * hold, is stale or replayed; or a request not signed for an account that takes signed ones only.
   */
  SignatureRefused: -10,
} as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

export const REASONS: Readonly<Record<ResultCode, string>> = {
  [ResultCode.Ok]: 'Succ',
  [ResultCode.MissingParameter]: '请求参数缺失',
  [ResultCode.BadApiKey]: 'apikey不正确',
  [ResultCode.BadLength]: '查询的手机号码长度不对',
  [ResultCode.NotMobile]: '请填写正确的手机号码',
  [ResultCode.NoData]: '未查询到相关信息',
  [ResultCode.InsufficientBalance]: '当前余额不足',
  [ResultCode.RateLimited]: '请求过于频繁',
  [ResultCode.RequestIdReused]: '请求编号已用于其他号码',
  [ResultCode.SystemError]: '系统错误,请稍候再试',
  [ResultCode.IpDenied]: 'ip地址鉴权失败',
  [ResultCode.SignatureRefused]: '签名校验失败',
};
