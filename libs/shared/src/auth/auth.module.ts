import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { StaffStateCache } from './staff-state.cache';

/** Staff login and the global guard; the same secret in all three apps makes tokens interchangeable. */
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A KeyObject, made once: given a string, jsonwebtoken first tries (and fails) to parse it as a
      // public key on every verify, which cost 5 % of a request's CPU.
      useFactory: (config: AppConfig) => ({
        secret: createSecretKey(Buffer.from(config.AUTH_TOKEN_SECRET)),
        signOptions: { algorithm: 'HS256', issuer: 'kefu' },
        verifyOptions: { issuer: 'kefu' },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, LoginThrottle, StaffStateCache, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, StaffStateCache],
})
export class AuthModule {}
