/**
 * Where the process is in its graceful shutdown, shared by readiness and the HTTP layer:
 * `draining` from the signal on (readiness answers 503 so the load balancer stops sending),
 * `closing` once the listener stops (every response then closes its keep-alive connection).
 */
export class ShutdownState {
  private drainingFlag = false;
  private closingFlag = false;

  get draining(): boolean {
    return this.drainingFlag;
  }

  get closing(): boolean {
    return this.closingFlag;
  }

  beginDraining(): void {
    this.drainingFlag = true;
  }

  beginClosing(): void {
    this.drainingFlag = true;
    this.closingFlag = true;
  }
}
