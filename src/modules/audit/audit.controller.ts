import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, merchantScopeOf, Principal } from '@app/common';
import { AuditService } from './audit.service';
import { AuditLogPageDto, AuditLogDto, AuditLogQueryDto } from './dto/audit-log.dto';

@ApiTags('audit')
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Auth('merchant', 'admin')
  @ApiOperation({ summary: 'Audit trail, newest first (merchant: own entries; admin: all, filterable by merchant_id)' })
  @ApiOkResponse({ type: AuditLogPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: AuditLogQueryDto): Promise<AuditLogPageDto> {
    // A merchant's filter is forced to its own store, whatever merchant_id it sends.
    const merchantId = merchantScopeOf(principal, query.merchant_id);
    const page = await this.audit.list({
      merchantId,
      action: query.action,
      entityType: query.entity_type,
      entityId: query.entity_id,
      actorId: query.actor_id,
      since: query.since,
      until: query.until,
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
    return { items: page.items.map(AuditLogDto.from), next_cursor: page.next_cursor };
  }
}
