{#-
    Normal distribution helpers for A/B tests and safety stock. DuckDB and Spark have no normal CDF or
    quantile function, so both use classic closed-form approximations built from exp / ln / sqrt only.
-#}

{#- Standard normal CDF, via erf (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7). -#}
{% macro normal_cdf(z) -%}
    {{ return(adapter.dispatch('normal_cdf', 'lapak')(z)) }}
{%- endmacro %}

{% macro default__normal_cdf(z) -%}
    {%- set x = "(abs(" ~ z ~ ") / sqrt(2.0))" -%}
    {%- set t = "(1.0 / (1.0 + 0.3275911 * " ~ x ~ "))" -%}
    {%- set erf = "(1.0 - (((((1.061405429 * " ~ t ~ " - 1.453152027) * " ~ t ~ " + 1.421413741) * " ~ t
        ~ " - 0.284496736) * " ~ t ~ " + 0.254829592) * " ~ t ~ ") * exp(-" ~ x ~ " * " ~ x ~ "))" -%}
    (case
        when {{ z }} is null then null
        when {{ z }} >= 0 then 0.5 * (1.0 + {{ erf }})
        else 0.5 * (1.0 - {{ erf }})
    end)
{%- endmacro %}

{#- Standard normal quantile for p in [0.5, 1) (Abramowitz & Stegun 26.2.23, absolute error < 4.5e-4). -#}
{% macro normal_quantile(p) -%}
    {{ return(adapter.dispatch('normal_quantile', 'lapak')(p)) }}
{%- endmacro %}

{% macro default__normal_quantile(p) -%}
    {%- set t = "sqrt(-2.0 * ln(1.0 - " ~ p ~ "))" -%}
    (case
        when {{ p }} is null or {{ p }} < 0.5 or {{ p }} >= 1 then null
        else {{ t }} - (2.515517 + 0.802853 * {{ t }} + 0.010328 * {{ t }} * {{ t }})
        / (1.0 + 1.432788 * {{ t }} + 0.189269 * {{ t }} * {{ t }} + 0.001308 * {{ t }} * {{ t }} * {{ t }})
    end)
{%- endmacro %}

{#- 8-byte floating point for statistics (dbt.type_float() is 4-byte REAL on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'lapak')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
