{#-
    Net Promoter Score, defined once (docs/metrics.md, "NPS"): stg_seller__nps_responses' `nps_band`,
    nps_by_campaign and nps_monthly use these.
-#}

{#- A score on the survey's 0-10 scale; other scores are left out of an NPS. -#}
{% macro is_nps_score(score) -%}
    {{ score }} between 0 and 10
{%- endmacro %}

{#- NPS band of a 0-10 score: promoter 9-10, passive 7-8, detractor 0-6. -#}
{% macro nps_band(score) -%}
    (case
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        when {{ score }} >= 0 then 'detractor'
    end)
{%- endmacro %}

{#- `promoters`, `passives`, `detractors` of a group of responses, from their `nps_band` column `band`. -#}
{% macro nps_band_counts(band='nps_band') -%}
    {%- for name in ['promoter', 'passive', 'detractor'] -%}
    sum(case when {{ band }} = '{{ name }}' then 1 else 0 end) as {{ name }}s{{ ",\n    " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- NPS, -100 to 100: the share of promoters minus the share of detractors, in percent. -#}
{% macro nps(promoters, detractors, responses) -%}
    100.0 * ({{ promoters }} - {{ detractors }}) / {{ responses }}
{%- endmacro %}
