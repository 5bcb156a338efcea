import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, merchantScopeOf, Principal, resolvePage } from '@app/common';
import { TransferPageDto, TransferQueryDto, TransferSummaryDto, TransferSummaryQueryDto } from './dto/transfers.dto';
import { TransfersService } from './transfers.service';

/** Payouts to the store's connected account (admins: every store, or ?merchant_id=). */
@ApiTags('payments')
@Controller('transfers/merchant')
@Auth('merchant', 'admin')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Get()
  @ApiOperation({ summary: 'Transfers, newest first: gross, refunded, platform fee, net, status, when due' })
  @ApiOkResponse({ type: TransferPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() query: TransferQueryDto): Promise<TransferPageDto> {
    return this.transfers.list(merchantScopeOf(p, query.merchant_id), { status: query.status, startDate: query.start_date, endDate: query.end_date }, resolvePage(query));
  }

  @Get('summary')
  @ApiOperation({ summary: 'Totals per currency (gross, refunded, platform fee, net, pending, paid) and per status' })
  @ApiOkResponse({ type: TransferSummaryDto })
  summary(@CurrentPrincipal() p: Principal, @Query() query: TransferSummaryQueryDto): Promise<TransferSummaryDto> {
    return this.transfers.summary(merchantScopeOf(p, query.merchant_id), { status: query.status, startDate: query.start_date, endDate: query.end_date });
  }
}
