/**
 * Error codes the flops simulator answers with, and the error it throws inside handlers.
 *
 * The vendor documentation (../shared/seeds/002_74c82ddb414a514c.txt) names only a few codes: `error.not.owner`,
 * `error.object.not.found`, `error.inet.ip.guest.add`, `error.inet.ip.guest.remove`.
 * `error.operation.already.started` and `unexpected.exception` are codes public flops clients handle
 * (e.g. the `flops` Python client's `_process_errors`). Every other code below is the simulator's own
 * choice for a rule the vendor documentation states without naming its error; each is marked "invented". Clients
 * should branch on the documented codes only and show the others to the user as they come.
 *
 * Errors are always sent as `{"status":"ERROR","errorCode":...,"errorMessage":...}` with HTTP 200:
 * the vendor documentation shows the envelope but no HTTP status, and 200 is the defensive reading (a client must
 * look at `status`, not only at the HTTP code).
 */
export const FLOPS_ERRORS = {
  /** Seed: wrong clientId/apiKey, or a tenant/object the account has no rights to. */
  notOwner: { code: "error.not.owner", message: "Ошибка прав доступа. Обратитесь в службу поддержки." },
  /** Seed: unknown VM, key, snapshot, backup, operation, tariff, distribution, software, IP. */
  notFound: { code: "error.object.not.found", message: "Объект не найден. Обратитесь в службу поддержки." },
  /** Public clients: the VM already has an unfinished operation. */
  alreadyStarted: { code: "error.operation.already.started", message: "Над сервером уже выполняется операция." },
  /** Seed: the address was added but the guest OS was not reconfigured. */
  guestIpAdd: { code: "error.inet.ip.guest.add", message: "IP адрес добавлен, но его необходимо вручную сконфигурировать в настройках операционной системы." },
  /** Seed: the address was removed but is still configured in the guest OS. */
  guestIpRemove: { code: "error.inet.ip.guest.remove", message: "IP адрес удалён, но по-прежнему присутствует в настройках операционной системы." },
  /** Public clients: generic server-side failure; the default for injected operation failures. */
  unexpected: { code: "unexpected.exception", message: "Непредвиденная ошибка. Обратитесь в службу поддержки." },
  /** Invented: a parameter the vendor documentation marks "обязательный" is missing. */
  paramRequired: { code: "error.param.required", message: "Не указан обязательный параметр" },
  /** Invented: a parameter is not a number / boolean / the expected form. */
  paramInvalid: { code: "error.param.invalid", message: "Некорректное значение параметра" },
  /** Invented: password policy (latin letters of both cases + a digit or one of !()[]-.?~`). */
  password: {
    code: "error.password.invalid",
    message: "Пароль должен состоять из латинских букв в разном регистре и хотя бы из одной цифры или спецсимвола !()[]-.?~`",
  },
  /** Invented: memory outside 512–16384. */
  memoryRange: { code: "error.memory.out.of.range", message: "Размер RAM: минимальное значение - 512, максимальное - 16384" },
  /** Invented: disk outside 8192–524288. */
  diskRange: { code: "error.disk.out.of.range", message: "Размер HDD: минимальное значение - 8192, максимальное - 524288" },
  /** Invented: cpu outside 1–12. */
  cpuRange: { code: "error.cpu.out.of.range", message: "Количество ядер: минимальное значение - 1, максимальное - 12" },
  /** Invented: ipCount outside 0–2. */
  ipCountRange: { code: "error.ip.count.out.of.range", message: "Количество IP адресов: минимальное значение - 0, максимальное - 2" },
  /** Invented: disk larger than 64 × memory. */
  diskMemoryRatio: { code: "error.disk.memory.ratio", message: "Размер HDD не может превышать размер RAM более чем в 64 раза" },
  /** Invented: memory/disk/cpu change on a fixed tariff. */
  fixedTariff: { code: "error.tariff.fixed", message: "Изменение ресурсов запрещено для фиксированных тарифных планов" },
  /** Invented: disk_change to a smaller disk. */
  diskDecrease: { code: "error.disk.decrease", message: "Размер HDD можно только увеличить" },
  /** Invented: memory_change down without allowRestart. */
  memoryRestart: { code: "error.memory.restart.required", message: "Уменьшение RAM требует перезагрузки сервера: укажите allowRestart=true" },
  /** Invented: tariff_change to a tariff whose disk is smaller than the VM's. */
  tariffDiskSmaller: { code: "error.tariff.disk.smaller", message: "Переход возможен лишь на тарифный план с размером диска не меньшим, чем у сервера" },
  /** Invented: backup quantity outside 1–10. */
  backupQuantity: { code: "error.backup.quantity.out.of.range", message: "Количество хранимых копий: минимальное значение - 1, максимальное - 10" },
  /** Invented: backup frequency not in {3, 6, 12, 24, 72}. */
  backupFrequency: { code: "error.backup.frequency.invalid", message: "Интервал между копиями: одно из значений 3, 6, 12, 24, 72" },
  /** Invented: the public key text is not an OpenSSH public key. */
  publicKeyInvalid: { code: "error.pubkey.invalid", message: "Некорректный публичный ключ" },
  /** Invented: no free address left in the simulator's IP pool. */
  ipPoolEmpty: { code: "error.inet.ip.pool.empty", message: "Нет свободных IP адресов" },
} as const;

export type FlopsErrorName = keyof typeof FLOPS_ERRORS;

/** Thrown inside handlers; the router turns it into the ERROR envelope. */
export class FlopsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "FlopsError";
  }

  static of(name: FlopsErrorName, detail?: string): FlopsError {
    const e = FLOPS_ERRORS[name];
    return new FlopsError(e.code, detail ? `${e.message}: ${detail}` : e.message);
  }
}

export function errorEnvelope(code: string, message: string): { status: "ERROR"; errorCode: string; errorMessage: string } {
  return { status: "ERROR", errorCode: code, errorMessage: message };
}
