// A scripted WebSocket: the test opens, feeds and closes it by hand.
export class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  serverOpen() {
    this.readyState = 1;
    this.onopen?.();
  }
  serverSend(event) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }
  serverClose(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
