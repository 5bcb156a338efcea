import { Body, Controller, Get, HttpException, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx, Public, RequestContext, StrictRateLimit, UnauthorizedError } from '@app/common';
import { AuthService } from './auth.service';
import { DeviceFlowService } from './device-flow.service';
import { deviceDonePage, deviceFormPage } from './device-page';
import { OAuthError } from './oauth-error';

interface DeviceForm {
  user_code?: string;
  email?: string;
  password?: string;
  action?: string;
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/**
 * The device-login page (RFC 8628 verification_uri), an HTML form outside /api. The user signs in
 * on the form itself, so the page needs no session cookie and no script.
 */
@ApiExcludeController()
@Controller('device')
@Public()
export class DeviceController {
  constructor(
    private readonly auth: AuthService,
    private readonly deviceFlow: DeviceFlowService,
  ) {}

  @Get()
  show(@Res() reply: FastifyReply, @Query('user_code') userCode?: string): void {
    void html(reply, 200, deviceFormPage({ userCode: typeof userCode === 'string' ? userCode.slice(0, 9) : undefined }));
  }

  @Post()
  @StrictRateLimit()
  async decide(@Ctx() ctx: RequestContext, @Body() form: DeviceForm, @Res() reply: FastifyReply): Promise<void> {
    const userCode = String(form?.user_code ?? '').slice(0, 20);
    const email = String(form?.email ?? '').slice(0, 320);
    try {
      if (!userCode || !email || !form?.password) throw new OAuthError('invalid_request', 'Enter the code, your email and your password');
      const user = await this.auth.checkCredentials(email, String(form.password));
      const approve = form.action !== 'deny';
      const { clientId } = await this.deviceFlow.decide({ ...ctx, principal: { kind: 'user', userId: user.id, role: user.role, merchantId: null, scopes: ['read', 'write'] } }, user.id, userCode, approve);
      void html(reply, 200, deviceDonePage(approve, clientId));
    } catch (err) {
      const status = err instanceof UnauthorizedError ? 401 : err instanceof OAuthError ? 400 : err instanceof HttpException && err.getStatus() === 429 ? 429 : 500;
      const message =
        err instanceof UnauthorizedError ? 'Wrong email or password.'
        : err instanceof OAuthError ? err.description
        : status === 429 ? 'Too many attempts; try again later.'
        : 'Something went wrong; try again.';
      void html(reply, status, deviceFormPage({ userCode, email, error: message }));
    }
  }
}
