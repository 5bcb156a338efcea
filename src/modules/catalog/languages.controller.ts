import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/common';
import { LanguageListDto, LanguagesQueryDto } from './dto/translation.dto';
import { TranslationsService } from './translations.service';

@ApiTags('catalog')
@Controller('languages')
export class LanguagesController {
  constructor(private readonly translations: TranslationsService) {}

  @Get()
  @Public()
  // The list changes only with a migration, so storefronts may cache it for a while.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Languages translations can be written in; active_only=true leaves out retired ones' })
  @ApiOkResponse({ type: LanguageListDto })
  async list(@Query() query: LanguagesQueryDto): Promise<LanguageListDto> {
    return { languages: await this.translations.listLanguages(query.active_only === 'true') };
  }
}
