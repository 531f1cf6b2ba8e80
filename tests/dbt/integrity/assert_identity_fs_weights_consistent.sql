-- The identity weights seed has every comparison level the pair model scores, and
-- each weight is log2(m / u) of its own probabilities (missing levels weigh 0), so an
-- edit to m or u cannot leave a stale weight behind.
with

expected as (

    select
        levels.comparison,
        levels.level
    from (
        values
        ('email', 'agree'), ('email', 'disagree'), ('email', 'missing'),
        ('phone', 'agree'), ('phone', 'disagree'), ('phone', 'missing'),
        ('date_of_birth', 'agree'), ('date_of_birth', 'close'),
        ('date_of_birth', 'near'), ('date_of_birth', 'missing'),
        ('date_of_birth', 'disagree'),
        ('first_name', 'exact'), ('first_name', 'close'),
        ('first_name', 'weak'), ('first_name', 'disagree'),
        ('first_name', 'missing'),
        ('last_name', 'exact'), ('last_name', 'close'), ('last_name', 'weak'),
        ('last_name', 'disagree'), ('last_name', 'missing'),
        ('street', 'exact'), ('street', 'partial'), ('street', 'disagree'),
        ('street', 'missing'),
        ('locality', 'postal'), ('locality', 'city'), ('locality', 'disagree'),
        ('locality', 'missing')
    ) as levels (comparison, level)

),

weights as (

    select * from {{ ref('identity_fs_weights') }}

),

final as (

    select
        coalesce(expected.comparison, weights.comparison) as comparison,
        coalesce(expected.level, weights.level) as level,
        case
            when weights.level is null then 'missing from the seed'
            when expected.level is null then 'not used by the models'
            when
                weights.level = 'missing' and weights.weight <> 0
                then 'missing must weigh 0'
            when
                weights.level <> 'missing'
                and abs(
                    weights.weight
                    - ln(weights.m_probability / weights.u_probability)
                    / ln(2.0)
                ) > 0.01
                then 'weight is not log2(m / u)'
        end as problem
    from expected
    full outer join weights
        on
            expected.comparison = weights.comparison
            and expected.level = weights.level

)

select * from final
where problem is not null
