import type {} from '@fastify/multipart'; // FastifyRequest.parts()
import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Auth, Ctx, CurrentPrincipal, Principal, RequestContext, requireMerchantScope, ValidationError } from '@app/common';
import { CatalogExportService } from './csv/catalog-export.service';
import { CatalogImportService, CsvUpload } from './csv/catalog-import.service';
import { CatalogExportQueryDto, CatalogImportQueryDto, CatalogImportReportDto } from './dto/catalog-csv.dto';

const FLAGS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/** The multipart `file` part (read whole: @fastify/multipart caps it at 25 MB) and the form fields, in any order. */
async function readCsvUpload(request: FastifyRequest): Promise<{ upload: CsvUpload; fields: Record<string, string> }> {
  let upload: CsvUpload | undefined;
  const fields: Record<string, string> = {};
  for await (const part of request.parts()) {
    if (part.type === 'field') fields[part.fieldname] = String(part.value);
    else if (part.fieldname === 'file' && !upload) upload = { bytes: await part.toBuffer(), fileName: part.filename || null };
    else await part.toBuffer(); // other files are drained, not kept
  }
  if (!upload) throw new ValidationError('file: a CSV file is required in the multipart field "file"', { file: ['is required'] });
  return { upload, fields };
}

/**
 * CSV export and import of a merchant's catalog. Its static paths (`export`, `import`) win over
 * ProductsController's `:id` in Fastify's router whatever the registration order.
 */
@ApiTags('catalog')
@Controller('products')
@Auth('merchant', 'admin')
export class CatalogCsvController {
  constructor(
    private readonly exports: CatalogExportService,
    private readonly imports: CatalogImportService,
  ) {}

  @Get('export')
  @ApiOperation({ summary: 'The catalog as CSV: one row per variant, product fields repeated, tags and collections `;`-joined (streamed)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv; charset=utf-8, as an attachment', schema: { type: 'string' } })
  async export(@CurrentPrincipal() p: Principal, @Query() query: CatalogExportQueryDto): Promise<StreamableFile> {
    const merchantId = requireMerchantScope(p, query.merchant_id);
    const stream = await this.exports.csvStream(merchantId);
    const date = new Date().toISOString().slice(0, 10);
    return new StreamableFile(stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="products-${date}.csv"` });
  }

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import a CSV (the export\'s columns): upserts by handle and variant_sku, reports row errors with line numbers',
    description: 'Up to 1,000 data rows are imported at once (200, the report); larger files are queued (202) and report progress at GET /api/products/import/{job_id}.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, dry_run: { type: 'boolean' } } } })
  @ApiOkResponse({ type: CatalogImportReportDto, description: 'Imported (or validated, for a dry run)' })
  @ApiAcceptedResponse({ type: CatalogImportReportDto, description: 'Queued: `{job_id, status: "queued"}`' })
  async import(
    @Ctx() ctx: RequestContext,
    @CurrentPrincipal() p: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query() query: CatalogImportQueryDto,
  ): Promise<CatalogImportReportDto> {
    const merchantId = requireMerchantScope(p, query.merchant_id);
    const { upload, fields } = await readCsvUpload(request);
    const formFlag = fields.dry_run === undefined ? undefined : FLAGS[fields.dry_run.trim().toLowerCase()];
    if (fields.dry_run !== undefined && formFlag === undefined) throw new ValidationError('dry_run: must be true or false', { dry_run: ['must be a boolean'] });
    const dryRun = query.dry_run === 'true' || formFlag === true;
    const { queued, report } = await this.imports.submit(ctx, merchantId, upload, dryRun);
    if (queued) void reply.status(202);
    return report;
  }

  @Get('import/:jobId')
  @ApiOperation({ summary: 'Progress and report of an import (queued, running, completed or failed)' })
  @ApiOkResponse({ type: CatalogImportReportDto })
  progress(@CurrentPrincipal() p: Principal, @Param('jobId') jobId: string, @Query('merchant_id') merchantId?: string): Promise<CatalogImportReportDto> {
    return this.imports.progress(requireMerchantScope(p, merchantId), jobId);
  }
}
