import { Injectable, Logger } from '@nestjs/common';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/** How notifications leave as email; the default only logs. An SMTP/API adapter implements the same. */
export interface EmailTransport {
  send(message: EmailMessage): Promise<void>;
}

export const EMAIL_TRANSPORT = Symbol('EMAIL_TRANSPORT');

@Injectable()
export class LogEmailTransport implements EmailTransport {
  private readonly logger = new Logger('Email');

  send(message: EmailMessage): Promise<void> {
    this.logger.log({ to: message.to, subject: message.subject }, 'Email (log transport)');
    return Promise.resolve();
  }
}
