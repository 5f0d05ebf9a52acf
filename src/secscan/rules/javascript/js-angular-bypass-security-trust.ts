import { Component } from "@angular/core";
import { DomSanitizer } from "@angular/platform-browser";

@Component({ selector: "app-search-result", template: "" })
export class SearchResultComponent {
  constructor(private sanitizer: DomSanitizer, private route: any) {}

  filterTable() {
    const queryParam: string = this.route.snapshot.queryParams.q;
    // ruleid: js-angular-bypass-security-trust
    this.searchValue = this.sanitizer.bypassSecurityTrustHtml(queryParam);
    // ok: js-angular-bypass-security-trust
    this.logo = this.sanitizer.bypassSecurityTrustUrl("/assets/logo.png");
    // ruleid: js-angular-bypass-security-trust
    this.video = this.sanitizer.bypassSecurityTrustResourceUrl(this.config.videoUrl);
    // ok: js-angular-bypass-security-trust
    this.safe = this.sanitizer.bypassSecurityTrustHtml(DOMPurify.sanitize(queryParam));
  }
}
