"""Our own table of the secret formats gitleaks 8.30.1 and trivy 0.74.0 find with their built-in
rules: rule id -> where the value needs a name beside it, and a generator regex (written here, in
the simplest form that the scanner still detects; no scanner file is copied). The table cannot
drift from the real rules unnoticed: tests/test_secret_formats.py runs the real gitleaks and
trivy over one generated sample per entry and asserts each rule id is the one reported.

Each line: `rule-id | name | generator regex`. `name` is `-` where the value stands alone (a
distinctive prefix or shape), else the keyword the scanner needs before it (the sample becomes
`<name>_token = "<value>"`). `bare` formats are recognized by the redactor with no name at all.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

try:  # Python 3.11+: the regex parser behind `re`
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parser  # type: ignore[no-redef]

_GITLEAKS = r"""
1password-secret-key | - | A3-[A-Z0-9]{6}-[A-Z0-9]{11}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}
1password-service-account-token | - | ops_eyJ[a-zA-Z0-9]{260}
adafruit-api-key | adafruit | [a-z0-9]{32}
adobe-client-id | adobe | [a-f0-9]{32}
adobe-client-secret | - | p8e-[a-z0-9]{32}
age-secret-key | - | AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}
airtable-api-key | airtable | [a-z0-9]{17}
airtable-personnal-access-token | airtable | pat[a-zA-Z0-9]{14}\.[a-f0-9]{64}
algolia-api-key | algolia | [a-z0-9]{32}
alibaba-access-key-id | - | LTAI[a-z0-9]{20}
alibaba-secret-key | alibaba | [a-z0-9]{30}
anthropic-admin-api-key | - | sk-ant-admin01-[a-zA-Z0-9]{93}AA
anthropic-api-key | - | sk-ant-api03-[a-zA-Z0-9]{93}AA
artifactory-api-key | - | AKCp[A-Za-z0-9]{69}
artifactory-reference-token | - | cmVmd[A-Za-z0-9]{59}
asana-client-id | asana | [0-9]{16}
asana-client-secret | asana | [a-z0-9]{32}
atlassian-api-token | - | ATATT3[A-Za-z0-9_=-]{186}
authress-service-client-access-key | - | sc_[a-z0-9]{20}\.[a-z0-9]{5}\.acc_[a-z0-9]{24}\.[a-z0-9]{60}
aws-access-token | - | AKIA[A-Z2-7]{16}
aws-amazon-bedrock-api-key-long-lived | - | ABSK[A-Za-z0-9]{140}
aws-amazon-bedrock-api-key-short-lived | - | bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29[t][A-Za-z0-9]{60}
azure-ad-client-secret | - | [a-zA-Z0-9]{3}[0-9]Q~[a-zA-Z0-9]{34}
beamer-api-token | beamer | b_[a-z0-9]{44}
bitbucket-client-id | bitbucket | [a-z0-9]{32}
bitbucket-client-secret | bitbucket | [a-z0-9]{64}
bittrex-access-key | bittrex | [a-z0-9]{32}
bittrex-secret-key | bittrex | [a-z0-9]{32}
cisco-meraki-api-key | meraki | [0-9a-f]{40}
clickhouse-cloud-api-secret-key | - | 4b1d[A-Za-z0-9]{38}
clojars-api-token | - | CLOJARS_[a-z0-9]{60}
cloudflare-api-key | cloudflare | [a-z0-9]{40}
cloudflare-global-api-key | cloudflare | [a-f0-9]{37}
cloudflare-origin-ca-key | - | v1\.0-[a-f0-9]{24}-[a-f0-9]{146}
codecov-access-token | codecov | [a-z0-9]{32}
cohere-api-token | cohere | [a-zA-Z0-9]{40}
coinbase-access-token | coinbase | [a-z0-9]{64}
confluent-access-token | confluent | [a-z0-9]{16}
confluent-secret-key | confluent | [a-z0-9]{64}
contentful-delivery-api-token | contentful | [a-z0-9]{43}
curl-auth-header | curl | [A-Za-z0-9]{40}
curl-auth-user | curl | [a-z]{8}:[A-Za-z0-9]{20}
databricks-api-token | - | dapi[a-f0-9]{32}
datadog-access-token | datadog | [a-z0-9]{40}
defined-networking-api-token | dnkey | dnkey-[a-z0-9]{26}-[a-z0-9]{52}
digitalocean-access-token | - | doo_v1_[a-f0-9]{64}
digitalocean-pat | - | dop_v1_[a-f0-9]{64}
digitalocean-refresh-token | - | dor_v1_[a-f0-9]{64}
discord-api-token | discord | [a-f0-9]{64}
discord-client-id | discord | [0-9]{18}
discord-client-secret | discord | [a-z0-9]{32}
doppler-api-token | - | dp\.pt\.[a-z0-9]{43}
droneci-access-token | droneci | [a-z0-9]{32}
dropbox-api-token | dropbox | [a-z0-9]{15}
dropbox-long-lived-api-token | dropbox | [a-z0-9]{11}AAAAAAAAAA[a-z0-9]{43}
dropbox-short-lived-api-token | dropbox | sl\.[a-z0-9]{135}
duffel-api-token | - | duffel_live_[a-z0-9]{43}
dynatrace-api-token | - | dt0c01\.[a-z0-9]{24}\.[a-z0-9]{64}
easypost-api-token | - | EZAK[a-z0-9]{54}
easypost-test-api-token | - | EZTK[a-z0-9]{54}
etsy-access-token | etsy | [a-z0-9]{24}
facebook-access-token | facebook | [0-9]{15}\|[0-9a-z]{32}
facebook-page-access-token | - | EAAM[a-z0-9]{120}
facebook-secret | facebook | [a-f0-9]{32}
fastly-api-token | fastly | [a-z0-9]{32}
finicity-api-token | finicity | [a-f0-9]{32}
finicity-client-secret | finicity | [a-z0-9]{20}
finnhub-access-token | finnhub | [a-z0-9]{20}
flickr-access-token | flickr | [a-z0-9]{32}
flutterwave-encryption-key | - | FLWSECK_TEST-[a-h0-9]{12}
flutterwave-public-key | - | FLWPUBK_TEST-[a-h0-9]{32}-X
flutterwave-secret-key | - | FLWSECK_TEST-[a-h0-9]{32}-X
flyio-access-token | - | fo1_[A-Za-z0-9]{43}
frameio-api-token | - | fio-u-[a-z0-9]{64}
freemius-secret-key | - | sk_[A-Za-z0-9]{29}
freshbooks-access-token | freshbooks | [a-z0-9]{64}
gcp-api-key | - | AIza[A-Za-z0-9]{35}
generic-api-key | - | [A-Za-z0-9]{32}
github-app-token | - | ghs_[0-9a-zA-Z]{36}
github-fine-grained-pat | - | github_pat_[A-Za-z0-9]{82}
github-oauth | - | gho_[0-9a-zA-Z]{36}
github-pat | - | ghp_[0-9a-zA-Z]{36}
github-refresh-token | - | ghr_[0-9a-zA-Z]{36}
gitlab-cicd-job-token | - | glcbt-[0-9a-zA-Z]{5}_[0-9a-zA-Z]{20}
gitlab-deploy-token | - | gldt-[0-9a-zA-Z]{20}
gitlab-feature-flag-client-token | - | glffct-[0-9a-zA-Z]{20}
gitlab-feed-token | - | glft-[0-9a-zA-Z]{20}
gitlab-incoming-mail-token | - | glimt-[0-9a-zA-Z]{25}
gitlab-kubernetes-agent-token | - | glagent-[0-9a-zA-Z]{50}
gitlab-oauth-app-secret | - | gloas-[0-9a-zA-Z]{64}
gitlab-pat | - | glpat-[A-Za-z0-9]{20}
gitlab-pat-routable | - | glpat-[0-9a-zA-Z]{40}\.[0-9a-z]{9}
gitlab-ptt | - | glptt-[0-9a-f]{40}
gitlab-rrt | - | GR1348941[A-Za-z0-9]{20}
gitlab-runner-authentication-token | - | glrt-[0-9a-zA-Z]{20}
gitlab-runner-authentication-token-routable | - | glrt-t1_[0-9a-zA-Z]{40}\.[0-9a-z]{9}
gitlab-scim-token | - | glsoat-[0-9a-zA-Z]{20}
gitlab-session-cookie | - | _gitlab_session=[0-9a-z]{32}
gitter-access-token | gitter | [a-z0-9]{40}
gocardless-api-token | gocardless | live_[a-z0-9]{40}
grafana-api-key | - | eyJrIjoi[A-Za-z0-9]{80}
grafana-cloud-api-token | - | glc_[A-Za-z0-9]{60}
grafana-service-account-token | - | glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}
harness-api-key | - | pat\.[a-zA-Z0-9]{22}\.[a-zA-Z0-9]{24}\.[a-zA-Z0-9]{20}
hashicorp-tf-api-token | - | [a-z0-9]{14}\.atlasv1\.[a-z0-9]{64}
hashicorp-tf-password | - | [a-z0-9]{16}
heroku-api-key | heroku | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
heroku-api-key-v2 | - | HRKU-AA[0-9a-zA-Z]{58}
hubspot-api-key | hubspot | [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}
huggingface-access-token | - | hf_[a-zA-Z]{34}
huggingface-organization-api-token | - | api_org_[a-zA-Z]{34}
infracost-api-token | - | ico-[a-zA-Z0-9]{32}
intercom-api-key | intercom | [a-z0-9]{60}
intra42-client-secret | - | s-s4t2ud-[a-f0-9]{64}
jfrog-api-key | jfrog | [a-z0-9]{73}
jfrog-identity-token | jfrog | [a-z0-9]{64}
jwt | - | eyJ[a-zA-Z0-9]{30}\.eyJ[a-zA-Z0-9]{40}\.[a-zA-Z0-9_-]{43}
jwt-base64 | - | ZXlKaGJHY2lPaU[A-Za-z0-9]{60}
kraken-access-token | kraken | [a-z0-9]{86}
kubernetes-secret-yaml | - | [A-Za-z0-9]{40}
kucoin-access-token | kucoin | [a-f0-9]{24}
kucoin-secret-key | kucoin | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
launchdarkly-access-token | launchdarkly | [a-z0-9]{40}
linear-api-key | - | lin_api_[a-z0-9]{40}
linear-client-secret | linear | [a-f0-9]{32}
linkedin-client-id | linkedin | [a-z0-9]{14}
linkedin-client-secret | linkedin | [a-z0-9]{16}
lob-api-key | lob | live_[a-f0-9]{35}
lob-pub-api-key | lob | test_pub_[a-f0-9]{31}
looker-client-id | looker | [a-z0-9]{20}
looker-client-secret | looker | [a-z0-9]{24}
mailchimp-api-key | mailchimp | [a-f0-9]{32}-us[0-9]{2}
mailgun-private-api-token | mailgun | key-[a-f0-9]{32}
mailgun-pub-key | mailgun | pubkey-[a-f0-9]{32}
mailgun-signing-key | mailgun | [a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}
mapbox-api-token | mapbox | pk\.[a-z0-9]{60}\.[a-z0-9]{22}
mattermost-access-token | mattermost | [a-z0-9]{26}
maxmind-license-key | - | [A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk
messagebird-api-token | messagebird | [a-z0-9]{25}
messagebird-client-id | messagebird | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
microsoft-teams-webhook | - | https://[a-z0-9]{8}\.webhook\.office\.com/webhookb2/[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}@[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}
netlify-access-token | netlify | [a-z0-9]{40}
new-relic-browser-api-token | newrelic | NRJS-[a-f0-9]{19}
new-relic-insert-key | newrelic | NRII-[a-z0-9]{32}
new-relic-user-api-id | newrelic | [a-z0-9]{64}
new-relic-user-api-key | newrelic | NRAK-[a-z0-9]{27}
notion-api-token | - | ntn_[0-9]{11}[A-Za-z0-9]{35}
npm-access-token | - | npm_[a-z0-9]{36}
nuget-config-password | - | [A-Za-z0-9]{16}
nytimes-access-token | nytimes | [a-z0-9]{32}
octopus-deploy-api-key | - | API-[A-Z0-9]{26}
okta-access-token | okta | 00[A-Za-z0-9]{40}
openai-api-key | - | sk-proj-[A-Za-z0-9]{74}T3BlbkFJ[A-Za-z0-9]{74}
openshift-user-token | - | sha256~[A-Za-z0-9]{43}
perplexity-api-key | - | pplx-[a-zA-Z0-9]{48}
plaid-api-token | plaid | access-production-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
plaid-client-id | plaid | [a-z0-9]{24}
plaid-secret-key | plaid | [a-z0-9]{30}
planetscale-api-token | - | pscale_tkn_[a-z0-9]{43}
planetscale-oauth-token | - | pscale_oauth_[a-z0-9]{43}
planetscale-password | - | pscale_pw_[a-z0-9]{43}
postman-api-token | - | PMAK-[a-f0-9]{24}-[a-f0-9]{34}
prefect-api-token | - | pnu_[a-zA-Z0-9]{36}
private-key | - | -----BEGIN RSA PRIVATE[ ]KEY-----\n[A-Za-z0-9]{64}\n[A-Za-z0-9]{64}\n-----END RSA PRIVATE[ ]KEY-----
privateai-api-token | privateai | [a-z0-9]{32}
pulumi-api-token | - | pul-[a-f0-9]{40}
pypi-upload-token | - | pypi-AgEIcHlwaS5vcmc[A-Za-z0-9]{60}
rapidapi-access-token | rapidapi | [a-z0-9]{50}
readme-api-token | - | rdme_[a-z0-9]{70}
rubygems-api-token | - | rubygems_[a-f0-9]{48}
scalingo-api-token | - | tk-us-[A-Za-z0-9]{48}
sendbird-access-id | sendbird | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
sendbird-access-token | sendbird | [a-f0-9]{40}
sendgrid-api-token | - | SG\.[a-z0-9]{22}\.[a-z0-9]{43}
sendinblue-api-token | - | xkeysib-[a-f0-9]{64}-[a-z0-9]{16}
sentry-access-token | sentry | [a-f0-9]{64}
sentry-org-token | - | sntrys_eyJpYXQiO[a-zA-Z0-9]{20}LCJyZWdpb25fdXJs[a-zA-Z0-9]{20}_[a-zA-Z0-9]{43}
sentry-user-token | - | sntryu_[a-f0-9]{64}
settlemint-application-access-token | - | sm_aat_[a-zA-Z0-9]{16}
settlemint-personal-access-token | - | sm_pat_[a-zA-Z0-9]{16}
settlemint-service-access-token | - | sm_sat_[a-zA-Z0-9]{16}
shippo-api-token | - | shippo_live_[a-f0-9]{40}
shopify-access-token | - | shpat_[a-f0-9]{32}
shopify-custom-access-token | - | shpca_[a-f0-9]{32}
shopify-private-app-access-token | - | shppa_[a-f0-9]{32}
shopify-shared-secret | - | shpss_[a-f0-9]{32}
sidekiq-secret | BUNDLE_GEMS__CONTRIBSYS__COM | [a-f0-9]{8}:[a-f0-9]{8}
sidekiq-sensitive-url | - | https://[a-f0-9]{8}:[a-f0-9]{8}@gems\.contribsys\.com/
slack-app-token | - | xapp-1-A[A-Z0-9]{10}-[0-9]{13}-[a-z0-9]{64}
slack-bot-token | - | xoxb-[0-9]{12}-[0-9]{13}-[a-zA-Z0-9]{24}
slack-config-access-token | - | xoxe\.xoxp-1-[A-Z0-9]{164}
slack-config-refresh-token | - | xoxe-1-[A-Z0-9]{146}
slack-legacy-bot-token | - | xoxb-[0-9]{10}-[a-zA-Z0-9]{24}
slack-legacy-token | - | xoxs-[0-9]{10}-[0-9]{10}-[0-9]{12}-[a-f0-9]{64}
slack-legacy-workspace-token | - | xoxa-2-[0-9a-zA-Z]{40}
slack-user-token | - | xoxp-[0-9]{12}-[0-9]{12}-[0-9]{13}-[a-zA-Z0-9]{32}
slack-webhook-url | - | https://hooks\.slack\.com/services/[A-Za-z0-9]{46}
snyk-api-token | snyk_api_token | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
sonar-api-token | sonar_token | squ_[a-z0-9]{40}
sourcegraph-access-token | - | sgp_[a-f0-9]{16}_[a-f0-9]{40}
square-access-token | - | sq0atp-[A-Za-z0-9]{22}
squarespace-access-token | squarespace | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
stripe-access-token | - | sk_live_[a-zA-Z0-9]{40}
sumologic-access-id | sumo | su[a-zA-Z0-9]{12}
sumologic-access-token | sumo | [a-z0-9]{64}
telegram-bot-api-token | telegram | [0-9]{10}:A[a-z0-9]{34}
travisci-access-token | travis | [a-z0-9]{22}
twilio-api-key | - | SK[0-9a-f]{32}
twitch-api-token | twitch | [a-z0-9]{30}
twitter-access-secret | twitter | [a-z0-9]{45}
twitter-access-token | twitter | [0-9]{18}-[a-zA-Z0-9]{30}
twitter-api-key | twitter | [a-z0-9]{25}
twitter-api-secret | twitter | [a-z0-9]{50}
twitter-bearer-token | twitter | AAAAAAAAAAAAAAAAAAAAAA[a-zA-Z0-9]{90}
typeform-api-token | typeform | tfp_[a-z0-9]{59}
vault-batch-token | - | hvb\.[A-Za-z0-9]{150}
vault-service-token | - | hvs\.[A-Za-z0-9]{100}
yandex-access-token | yandex | t1\.[A-Za-z0-9]{40}\.[A-Za-z0-9]{86}
yandex-api-key | yandex | AQVN[A-Za-z0-9]{36}
yandex-aws-access-token | yandex | YC[a-zA-Z0-9]{38}
zendesk-secret-key | zendesk | [a-z0-9]{40}
"""

_TRIVY = r"""
aws-access-key-id | - | AKIA[A-Z0-9]{16}
aws-secret-access-key | aws_secret_access_key | [A-Za-z0-9]{8}/[A-Za-z0-9]{8}/[A-Za-z0-9]{8}\+[A-Za-z0-9]{13}
github-pat | - | ghp_[0-9a-zA-Z]{36}
github-oauth | - | gho_[0-9a-zA-Z]{36}
github-app-token | - | ghs_[0-9a-zA-Z]{36}
hugging-face-access-token | - | hf_[A-Za-z0-9]{36}
github-refresh-token | - | ghr_[0-9a-zA-Z]{76}
github-fine-grained-pat | - | github_pat_[a-zA-Z0-9]{22}_[a-zA-Z0-9]{59}
gitlab-pat | - | glpat-[0-9a-zA-Z]{20}
private-key | - | -----BEGIN PRIVATE[ ]KEY-----\n[A-Za-z0-9]{64}\n[A-Za-z0-9]{64}\n-----END PRIVATE[ ]KEY-----
shopify-token | - | shpss_[a-f0-9]{32}
slack-access-token | - | xoxp-[0-9a-zA-Z]{40}
stripe-publishable-token | - | pk_live_[0-9a-z]{30}
stripe-secret-token | - | sk_live_[0-9a-z]{30}
pypi-upload-token | - | pypi-AgEIcHlwaS5vcmc[A-Za-z0-9]{60}
gcp-service-account | - | -----BEGIN PRIVATE[ ]KEY-----\\n[A-Za-z0-9]{64}\\n[A-Za-z0-9]{64}\\n-----END PRIVATE[ ]KEY-----\\n
heroku-api-key | heroku | [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}
slack-web-hook | - | https://hooks\.slack\.com/services/[A-Za-z0-9]{46}
twilio-api-key | - | SK[0-9a-f]{32}
age-secret-key | - | AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}
facebook-token | facebook | [a-f0-9]{32}
twitter-token | twitter | [a-f0-9]{40}
adobe-client-id | adobe | [a-f0-9]{32}
adobe-client-secret | - | p8e-[a-z0-9]{32}
alibaba-access-key-id | - | LTAI[a-z0-9]{20}
alibaba-secret-key | alibaba | [a-z0-9]{30}
asana-client-id | asana | [0-9]{16}
asana-client-secret | asana | [a-z0-9]{32}
atlassian-api-token | atlassian | [a-z0-9]{24}
bitbucket-client-id | bitbucket | [a-z0-9]{32}
bitbucket-client-secret | bitbucket | [a-z0-9]{64}
beamer-api-token | beamer | b_[a-z0-9]{44}
clojars-api-token | - | CLOJARS_[a-z0-9]{60}
contentful-delivery-api-token | contentful | [a-z0-9]{43}
databricks-api-token | - | dapi[a-h0-9]{32}
discord-api-token | discord | [a-h0-9]{64}
discord-client-id | discord | [0-9]{18}
discord-client-secret | discord | [a-z0-9]{32}
doppler-api-token | - | dp\.pt\.[a-z0-9]{43}
dropbox-api-secret | dropbox | [a-z0-9]{15}
dropbox-short-lived-api-token | dropbox | sl\.[a-z0-9]{135}
dropbox-long-lived-api-token | dropbox | [a-z0-9]{11}AAAAAAAAAA[a-z0-9]{43}
duffel-api-token | - | duffel_live_[a-z0-9]{43}
dynatrace-api-token | - | dt0c01\.[a-z0-9]{24}\.[a-z0-9]{64}
easypost-api-token | - | EZAK[a-z0-9]{54}
fastly-api-token | fastly | [a-z0-9]{32}
finicity-client-secret | finicity | [a-z0-9]{20}
finicity-api-token | finicity | [a-f0-9]{32}
flutterwave-public-key | - | FLWPUBK_TEST-[a-h0-9]{32}-X
flutterwave-enc-key | - | FLWSECK_TEST[a-h0-9]{12}
frameio-api-token | - | fio-u-[a-z0-9]{64}
gocardless-api-token | - | live_[a-z0-9]{40}
grafana-api-token | - | eyJrIjoi[a-z0-9]{80}
hashicorp-tf-api-token | - | [a-z0-9]{14}\.atlasv1\.[a-z0-9]{64}
hubspot-api-token | hubspot | [a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}
intercom-api-token | intercom | [a-z0-9]{60}
intercom-client-secret | intercom | [a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}
ionic-api-token | ionic | ion_[a-z0-9]{42}
jwt-token | - | eyJ[a-zA-Z0-9]{30}\.eyJ[a-zA-Z0-9]{40}\.[a-zA-Z0-9_-]{43}
linear-api-token | - | lin_api_[a-z0-9]{40}
linear-client-secret | linear | [a-f0-9]{32}
lob-api-key | lob | live_[a-f0-9]{35}
lob-pub-api-key | lob | test_pub_[a-f0-9]{31}
mailchimp-api-key | mailchimp | [a-f0-9]{32}-us20
mailgun-token | mailgun | key-[a-f0-9]{32}
mailgun-signing-key | mailgun | [a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}
mapbox-api-token | - | pk\.[a-z0-9]{60}\.[a-z0-9]{22}
messagebird-api-token | messagebird | [a-z0-9]{25}
messagebird-client-id | messagebird | [a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}
new-relic-user-api-key | - | NRAK-[A-Z0-9]{27}
new-relic-user-api-id | newrelic | [A-Z0-9]{64}
new-relic-browser-api-token | - | NRJS-[a-f0-9]{19}
npm-access-token | - | npm_[a-z0-9]{36}
planetscale-password | - | pscale_pw_[a-z0-9]{43}
planetscale-api-token | - | pscale_tkn_[a-z0-9]{43}
private-packagist-token | - | packagist_out_[a-f0-9]{68}
postman-api-token | - | PMAK-[a-f0-9]{24}-[a-f0-9]{34}
pulumi-api-token | - | pul-[a-f0-9]{40}
rubygems-api-token | - | rubygems_[a-f0-9]{48}
sendgrid-api-token | - | SG\.[a-z0-9]{22}\.[a-z0-9]{43}
sendinblue-api-token | - | xkeysib-[a-f0-9]{64}-[a-z0-9]{16}
shippo-api-token | - | shippo_live_[a-f0-9]{40}
linkedin-client-secret | linkedin | [a-z]{16}
linkedin-client-id | linkedin | [a-z0-9]{14}
twitch-api-token | twitch | [a-z0-9]{30}
typeform-api-token | typeform | tfp_[a-z0-9]{59}
dockerconfig-secret | - | eyJ[A-Za-z0-9]{80}
symfony-default-secret | - | ThisTokenIsNotSoSecretChange[I]t
azure-storage-account-key | - | [A-Za-z0-9]{40}/[A-Za-z0-9]{20}/[A-Za-z0-9]{24}==
azure-sas-token | - | [A-Za-z0-9]{20}%2B[A-Za-z0-9]{20}%3D
azure-devops-pat | - | [a-z2-7]{52}
azure-entra-client-secret | - | [a-zA-Z0-9]{3}8Q~[a-zA-Z0-9]{34}
azure-container-registry-credential | - | [A-Za-z0-9]{52}JQQJ99CBACYeBjFEqg7NAAAHAZCR[A-Za-z0-9]{4}
azure-container-registry-password | - | [a-zA-Z0-9]{32}
azure-app-config-connection-string | - | [a-zA-Z0-9]{44}
azure-ai-services-key | - | [A-Za-z0-9]{52}JQQJ99CB[A-Za-z0-9]{7}XJ3w3[A-Za-z0-9]{4}ACOG[A-Za-z0-9]{4}
maven-settings-password | - | [A-Za-z0-9]{20}
maven-settings-passphrase | - | [A-Za-z0-9]{20}
maven-settings-security-master | - | [A-Za-z0-9]{20}
openai-project-api-key | - | sk-proj-[A-Za-z0-9]{40}T3BlbkFJ[A-Za-z0-9]{40}
openai-service-account-key | - | sk-svcacct-[A-Za-z0-9]{40}T3BlbkFJ[A-Za-z0-9]{40}
openai-admin-api-key | - | sk-admin-[A-Za-z0-9]{40}T3BlbkFJ[A-Za-z0-9]{40}
openai-legacy-api-key | - | sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}
openai-service-api-key | - | sk-service-abc-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}
openai-realtime-client-secret | - | ek_[a-f0-9]{32}
"""

# Where a rule needs more than `<name>_token = "<value>"` around the value (the scanner's context).
_CONTEXT = {
    ("gitleaks", "atlassian-api-token"): 'atlassian_token = "{v}"',
    ("gitleaks", "curl-auth-header"): 'curl -H "Authorization: Bearer {v}" https://api.example.com/v1',
    ("gitleaks", "curl-auth-user"): "curl -u {v} https://api.example.com/v1",
    ("gitleaks", "freemius-secret-key"): "'secret_key' => '{v}',",
    ("gitleaks", "generic-api-key"): 'api_key = "{v}"',
    ("gitleaks", "hashicorp-tf-password"): 'administrator_login_password = "{v}"',
    (
        "gitleaks",
        "kubernetes-secret-yaml",
    ): "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  password: {v}\n",
    ("gitleaks", "nuget-config-password"): '<add key="ClearTextPassword" value="{v}" />',
    ("gitleaks", "sidekiq-secret"): 'BUNDLE_GEMS__CONTRIBSYS__COM: "{v}"',
    ("gitleaks", "snyk-api-token"): 'snyk_api_token = "{v}"',
    ("gitleaks", "sonar-api-token"): 'sonar_token = "{v}"',
    ("trivy", "heroku-api-key"): '  heroku_token = "{v}"',
    ("trivy", "aws-secret-access-key"): 'aws_secret_access_key = "{v}"',
    ("trivy", "gcp-service-account"): '{{"type": "service_account", "project_id": "p", "private_key": "{v}"}}',
    ("trivy", "azure-sas-token"): "https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=r&sig={v}",
    ("trivy", "azure-devops-pat"): 'azure_devops_pat = "{v}"',
    ("trivy", "azure-container-registry-password"): 'registry: myreg.azurecr.io password: "{v}"',
    ("trivy", "azure-app-config-connection-string"): "Endpoint=https://app.azconfig.io;Id=abc1-l0-s0:AbCd;Secret={v}",
    (
        "trivy",
        "azure-storage-account-key",
    ): "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={v};EndpointSuffix=core.windows.net",
    ("trivy", "maven-settings-password"): "<server><id>x</id><password>{v}</password></server>",
    ("trivy", "maven-settings-passphrase"): "<server><id>x</id><passphrase>{v}</passphrase></server>",
    ("trivy", "maven-settings-security-master"): "<settingsSecurity><master>{v}</master></settingsSecurity>",
    ("trivy", "dockerconfig-secret"): "data:\n  .dockerconfigjson: {v}\n",
}


# The file a rule only looks at (by name); any other rule's sample goes in `sample.cfg`.
_FILE = {
    ("gitleaks", "freemius-secret-key"): "config.php",
    ("gitleaks", "hashicorp-tf-password"): "main.tf",
    ("gitleaks", "kubernetes-secret-yaml"): "secret.yaml",
    ("gitleaks", "nuget-config-password"): "nuget.config",
    ("trivy", "maven-settings-password"): "settings.xml",
    ("trivy", "maven-settings-passphrase"): "settings.xml",
    ("trivy", "maven-settings-security-master"): "settings-security.xml",
}


@dataclass(frozen=True)
class Format:
    scanner: str
    rule: str
    keyword: str | None  # the name the value needs beside it, for the scanner (None: stands alone)
    regex: str

    @property
    def name(self) -> str:
        """A realistic variable name for the value in key/value shapes."""
        base = (self.keyword or self.rule.split("-")[0]).upper().replace(".", "_").replace("-", "_")
        return base if base.endswith(("TOKEN", "KEY", "SECRET", "PASSWORD")) else f"{base}_TOKEN"

    @property
    def file_name(self) -> str:
        return _FILE.get((self.scanner, self.rule), "sample.cfg")

    def sample_line(self, value: str) -> str:
        template = _CONTEXT.get((self.scanner, self.rule))
        if template is None:
            template = f'{self.keyword}_token = "{{v}}"' if self.keyword else 'value = "{v}"'
        return template.format(v=value)


def _parse(scanner: str, text: str) -> list[Format]:
    formats = []
    for line in text.strip().splitlines():
        rule, keyword, regex = (part.strip() for part in line.split(" | ", 2))
        formats.append(Format(scanner, rule, None if keyword == "-" else keyword, regex))
    return formats


FORMATS: list[Format] = [*_parse("gitleaks", _GITLEAKS), *_parse("trivy", _TRIVY)]

# The scanners' own rule counts at the pinned versions (gitleaks 8.30.1 config/gitleaks.toml has 222
# [[rules]]; trivy 0.74.0 builtin-rules.go has 105 secret rules), and the rules left out, with why.
SCANNER_RULE_COUNTS = {"gitleaks": 222, "trivy": 105}
NOT_COVERED = {
    ("gitleaks", "pkcs12-file"): "matches a file name (*.p12), not a value in text: nothing to generate or redact",
}


def generate(fmt: Format, rng: random.Random) -> str:
    """One random value of this format: a random walk of the regex's parse tree."""
    return _walk(_sre_parser.parse(fmt.regex), rng)


_CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_SPACE": " ",
}


def _walk(tree: Any, rng: random.Random) -> str:
    out = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(rng.choice(_charset(arg)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = arg
            count = rng.randint(low, min(high, low + 8))
            out.extend(_walk(sub, rng) for _ in range(count))
        elif name == "SUBPATTERN":
            out.append(_walk(arg[-1], rng))
        elif name == "BRANCH":
            out.append(_walk(rng.choice(arg[1]), rng))
        elif name == "ANY":
            out.append(rng.choice(string.ascii_letters))
        elif name == "AT":
            continue
        else:
            raise ValueError(f"generator regexes use no {name}")
    return "".join(out)


def _charset(items: Any) -> str:
    chars: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY":
            chars.extend(_CATEGORIES[str(arg)])
        else:
            raise ValueError(f"generator classes use no {name}")
    return "".join(chars)


def random_string(rng: random.Random, alphabet: str = string.ascii_letters + string.digits, size: int = 12) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def shapes(name: str, value: str) -> dict[str, str]:
    """The value as configuration and code hold it: key/value forms, and bare."""
    header = "X-" + "-".join(part.capitalize() for part in name.lower().split("_"))
    return {
        "k = v": f"{name} = {value}",
        "k: v": f"{name}: {value}",
        "k=v": f"{name}={value}",
        "export": f"export {name}={value}",
        "json": '{"' + name + '": "' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"}',
        "yaml-quoted": f'{name.lower()}: "{value}"',
        "yaml-single": f"  {name.lower()}: '{value}'",
        "url-query": f"https://api.example.com/v1/items?page=2&{name.lower()}={value}&sort=asc",
        "dockerfile-env": f"ENV {name} {value}",
        "dockerfile-env-eq": f"ENV {name}={value}",
        "dockerfile-arg": f"ARG {name}={value}",
        "header": f"{header}: {value}",
        "bearer": f"Authorization: Bearer {value}",
        "call": f"client = connect({name.lower()}={value})",
        "arrow": f"'{name.lower()}' => {value},",
        "bare": value,
        "bare-in-text": f"rotated {value} yesterday",
    }


BARE_SHAPES = ("bare", "bare-in-text")


def windows(value: str, size: int = 12) -> set[str]:
    return {value[i : i + size] for i in range(max(0, len(value) - size + 1))} if len(value) >= size else {value}


def secret_windows(fmt: Format, value: str, rng: random.Random) -> set[str]:
    """The 12-character windows of value that belong to it (not to its format's fixed text)."""
    fixed = windows(generate(fmt, rng)) | windows(generate(fmt, rng))
    return {w for w in windows(value.replace("\\n", "\n")) if w not in fixed and "\n" not in w}
