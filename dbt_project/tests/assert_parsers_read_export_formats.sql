-- The parsing macros against the text forms Seller Center exports; returns the cases that fail.
with

cases as (

    select
        'idr' as parser_name,
        idr_cases.raw_text,
        idr_cases.expected,
        cast({{ parse_idr('idr_cases.raw_text') }} as {{ dbt.type_string() }}) as actual
    from (
        values
        ('50000', '50000.00'),
        ('IDR 12.000', '12000.00'),
        ('Rp10.945.407', '10945407.00'),
        ('Rp 10.945.407', '10945407.00'),
        ('1407834.000', '1407834.00'),
        ('1,234,567', '1234567.00'),
        ('-12.000', '-12000.00'),
        ('1.234,50', '1234.50'),
        ('-', null)
    ) as idr_cases (raw_text, expected)

    union all

    select
        'int' as parser_name,
        int_cases.raw_text,
        int_cases.expected,
        cast({{ parse_int('int_cases.raw_text') }} as {{ dbt.type_string() }}) as actual
    from (
        values
        ('12345', '12345'),
        ('12.345', '12345'),
        ('1,234', '1234'),
        ('abc', null)
    ) as int_cases (raw_text, expected)

    union all

    select
        'pct' as parser_name,
        pct_cases.raw_text,
        pct_cases.expected,
        cast(round({{ parse_pct('pct_cases.raw_text') }}, 6) as {{ dbt.type_string() }}) as actual
    from (
        values
        ('12.34%', '0.1234'),
        ('0,5%', '0.005'),
        ('0.1234', '0.1234'),
        ('100%', '1.0')
    ) as pct_cases (raw_text, expected)

    union all

    select
        'ts' as parser_name,
        ts_cases.raw_text,
        ts_cases.expected,
        cast({{ parse_wib_ts('ts_cases.raw_text') }} as {{ dbt.type_string() }}) as actual
    from (
        values
        ('31/01/2024 23:59:58', '2024-01-31 23:59:58'),
        ('2024-01-31 23:59:58', '2024-01-31 23:59:58'),
        ('2024-01-31 23:59', '2024-01-31 23:59:00'),
        ('2024/01/31 23:59:58', '2024-01-31 23:59:58'),
        ('not a time', null)
    ) as ts_cases (raw_text, expected)

    union all

    select
        'duration' as parser_name,
        duration_cases.raw_text,
        duration_cases.expected,
        cast({{ parse_duration_s('duration_cases.raw_text') }} as {{ dbt.type_string() }}) as actual
    from (
        values
        ('2h 05m 30s', '7530'),
        ('1m 12s', '72'),
        ('45s', '45'),
        ('01:02:03', '3723'),
        ('soon', null)
    ) as duration_cases (raw_text, expected)

),

final as (

    select * from cases
    where actual is distinct from expected

)

select * from final
