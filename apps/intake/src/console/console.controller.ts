import { Controller, Get, Header, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@kefu/shared';
import { loadConsoleAssets, type ConsoleAsset } from './console-assets';

/**
 * The console's pages are static files; everything they show comes from the API with the staff
 * member's own token, so no page can show what the API's role checks would refuse.
 */
export const consoleHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Revalidated on every load (ETag), so a deploy is seen at once; a 304 costs one small round trip.
  'Cache-Control': 'no-cache',
};

@ApiExcludeController()
@Public("the operator console: static pages that call the API with the staff member's token")
@Controller('console')
export class ConsoleController {
  private readonly assets: Map<string, ConsoleAsset> = loadConsoleAssets();

  @Get()
  @Header('Vary', 'Accept-Encoding')
  index(@Req() req: Request, @Res() res: Response): void {
    this.send('index.html', req, res);
  }

  @Get('*path')
  asset(@Param('path') path: string | string[], @Req() req: Request, @Res() res: Response): void {
    this.send(Array.isArray(path) ? path.join('/') : path, req, res);
  }

  private send(path: string, req: Request, res: Response): void {
    const asset = this.assets.get(path === '' ? 'index.html' : path);
    if (!asset) throw new NotFoundException(`No console file ${path}.`);
    res.set({ ...consoleHeaders, 'Content-Type': asset.contentType, ETag: asset.etag });
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.status(200).send(asset.body);
  }
}
